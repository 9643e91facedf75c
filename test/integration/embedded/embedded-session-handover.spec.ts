import { connect as connectTcp, Socket } from 'node:net';
import { Client, Pool } from 'pg';
import {
  EmbeddedPostgres,
  startEmbeddedPostgres,
} from '../../../apps/api/src/database/embedded/embedded-postgres';

/**
 * The handover of PGlite's one session between connections under churn, as the server sees it on
 * a reused data folder: TypeORM's and BullMQ's pools (search_path public / bullmq) all busy at
 * once, pooled clients closing when idle and reconnecting, and queries that fail (a unique
 * violation is routine for the app). A failed parameterised query used to end its connection's
 * turn at PGlite's early ReadyForQuery, before its Sync: other connections ran inside its batch
 * and the replies of both went off by one (`unnamed prepared statement does not exist`,
 * `function next_signal(...) does not exist`, a SELECT by id answered with no row).
 */
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

let pg: EmbeddedPostgres;

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ inMemory: true });
  const db = new Client({ connectionString: pg.url });
  await db.connect();
  await db.query('CREATE TABLE item (id serial PRIMARY KEY, label text NOT NULL)');
  await db.query(`CREATE FUNCTION bullmq.next_signal(a text, b text, c text) RETURNS text
                    LANGUAGE sql AS $$ SELECT a || b || c $$`);
  await db.end();
}, 120_000);

afterAll(async () => {
  await pg?.close();
});

/** A pool as the app's, but closing idle clients after 50 ms (pg's default is 10 s). */
function pool(options?: string): Pool {
  const created = new Pool({
    connectionString: pg.url,
    max: options ? 2 : 4,
    idleTimeoutMillis: 50,
    query_timeout: 5_000, // replies off by one leave a query unanswered: fail, do not hang
    ...(options ? { options } : {}),
  });
  created.on('error', () => undefined); // an idle client's error; the queries report their own
  return created;
}

const codeOf = (error: unknown) => (error as { code?: string }).code ?? String(error);

describe('embedded PostgreSQL: handing the session over between connections', () => {
  it('keeps every reply right while pooled clients fail, close and reconnect concurrently', async () => {
    const app = pool();
    const bull = pool('-c search_path=bullmq');
    const wrong: string[] = [];
    const until = Date.now() + 3_000;
    const check = async (what: string, work: () => Promise<void>) => {
      await work().catch((error: unknown) => wrong.push(`${what}: ${codeOf(error)} ${error}`));
    };
    const appClient = async (w: number) => {
      for (let i = 0; Date.now() < until; i++) {
        await check('insert then select', async () => {
          const label = `${w}-${i}`;
          const { rows } = await app.query<{ id: number }>(
            'INSERT INTO item (label) VALUES ($1) RETURNING id',
            [label],
          );
          const found = await app.query('SELECT label FROM item WHERE id = $1', [rows[0].id]);
          if (found.rows[0]?.label !== label)
            wrong.push(`select ${label}: ${JSON.stringify(found.rows)}`);
        });
        await check('transaction', async () => {
          const client = await app.connect();
          try {
            await client.query('BEGIN');
            await client.query('INSERT INTO item (label) VALUES ($1)', [`tx ${w}-${i}`]);
            const { rows } = await client.query('SELECT current_schema() AS s');
            if (rows[0]?.s !== 'public') wrong.push(`transaction in schema ${rows[0]?.s}`);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        });
        // A unique violation, as the app meets routinely: must be that error, and only for it.
        const duplicate = await app
          .query('INSERT INTO item (id, label) VALUES ($1, $2)', [1, 'duplicate'])
          .then(() => 'inserted', codeOf);
        if (duplicate !== '23505') wrong.push(`duplicate id: ${duplicate}`);
        if (i % 3 === 0) await sleep(40 + w * 5); // long enough for the pool to close clients
      }
    };
    const newClients = async (w: number) => {
      for (let i = w; Date.now() < until; i++) {
        const options = i % 2 ? '-c search_path=bullmq' : undefined;
        const db = new Client({ connectionString: pg.url, options, query_timeout: 5_000 });
        await check('new client', async () => {
          await db.connect();
          const { rows } = await db.query('SELECT current_schema() AS s, $1::int AS n', [i]);
          const want = { s: options ? 'bullmq' : 'public', n: i };
          const got = { s: rows[0]?.s, n: rows[0]?.n };
          if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${JSON.stringify(got)}`);
        });
        await db.end().catch(() => undefined);
      }
    };
    const bullClient = async (w: number) => {
      for (let i = 0; Date.now() < until; i++) {
        await check('next_signal', async () => {
          const { rows } = await bull.query('SELECT next_signal($1, $2, $3) AS s', ['q', w, i]);
          if (rows[0]?.s !== `q${w}${i}`) wrong.push(`next_signal ${w}${i}: ${rows[0]?.s}`);
        });
        if (i % 3 === 0) await sleep(70);
      }
    };
    try {
      await Promise.all([
        ...[0, 1, 2, 3, 4, 5].map(appClient),
        ...[0, 1, 2].map(bullClient),
        ...[0, 1].map(newClients),
      ]);
    } finally {
      await Promise.all([app.end(), bull.end()]);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("gives back each connection's own search_path, also one it SET itself", async () => {
    const [app, own] = [new Client(pg.url), new Client(pg.url)];
    await Promise.all([app.connect(), own.connect()]);
    try {
      await own.query('SET search_path TO bullmq');
      for (let i = 0; i < 3; i++) {
        const schemas = await Promise.all(
          [app, own].map(async (db) => (await db.query('SELECT current_schema() AS s')).rows[0].s),
        );
        expect(schemas).toEqual(['public', 'bullmq']);
      }
    } finally {
      await Promise.all([app.end(), own.end()]);
    }
  });

  it('undoes a transaction whose client left after an error in a batch, before its Sync', async () => {
    const other = new Client(pg.url);
    await other.connect(); // first: connecting waits too while a transaction is open
    const quitter = await RawClient.open(pg.port);
    quitter.send(query('BEGIN'), query("INSERT INTO item (label) VALUES ('quitter')"));
    quitter.send(parse('SELEC 1'), bind()); // a syntax error, and no Sync
    await quitter.until((r) => r.errors.length === 1);
    const waiting = other.query("SELECT count(*)::int AS n FROM item WHERE label = 'quitter'");
    await sleep(50);
    quitter.socket.destroy();
    try {
      expect((await waiting).rows[0].n).toBe(0);
      await other.query('BEGIN');
      await other.query("INSERT INTO item (label) VALUES ('other')");
      await other.query('COMMIT');
      const { rows } = await other.query(
        "SELECT count(*)::int AS n FROM item WHERE label = 'other'",
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('answers the pipelined batches of one write in order, among busy connections', async () => {
    // The second batch binds the unnamed statement of the first, legal on a connection of its own:
    // no other connection may replace (nor drop) that statement in between. (What one write
    // carries runs in one go in-process anyway; this guards the handover's own statement drop.)
    const busy = [new Client(pg.url), new Client(pg.url), new Client(pg.url)];
    await Promise.all(busy.map((db) => db.connect()));
    let stop = false;
    const hammers = busy.map(async (db) => {
      for (let i = 0; !stop; i++) await db.query('SELECT $1::int AS n', [i]);
    });
    const raw = await RawClient.open(pg.port);
    try {
      for (let i = 0; i < 40; i++) {
        raw.rows.length = 0;
        const ready = raw.ready + 2;
        raw.send(parse('SELECT $1::text AS v'), bind(`a${i}`), execute(), sync());
        raw.send(bind(`b${i}`), execute(), sync());
        await raw.until((r) => r.ready >= ready);
        expect({ rows: raw.rows, errors: raw.errors }).toEqual({
          rows: [`a${i}`, `b${i}`],
          errors: [],
        });
        await sleep(5);
      }
    } finally {
      stop = true;
      await Promise.all(hammers);
      raw.socket.destroy();
      await Promise.all(busy.map((db) => db.end()));
    }
  });
});

/** Frontend messages, built by hand to send what `pg` never does (no Sync, pipelining). */
function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
const cstr = (text: string) => Buffer.from(`${text}\0`);
const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const int32 = (n: number) => Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const query = (sql: string) => message('Q', cstr(sql));
const parse = (sql: string) => message('P', cstr(''), cstr(sql), int16(0));
const bind = (...values: string[]) =>
  message(
    'B',
    cstr(''),
    cstr(''),
    int16(0),
    int16(values.length),
    ...values.flatMap((v) => [int32(Buffer.byteLength(v)), Buffer.from(v)]),
    int16(0),
  );
const execute = () => message('E', cstr(''), int32(0));
const sync = () => message('S');

/** A bare protocol client: counts ReadyForQuery, collects first columns of rows and errors. */
class RawClient {
  ready = 0;
  readonly rows: string[] = [];
  readonly errors: string[] = [];
  private buffer = Buffer.alloc(0);
  private wake = () => undefined as void;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connectTcp(port, '127.0.0.1');
    await new Promise<void>((done, fail) => socket.once('connect', done).once('error', fail));
    const client = new RawClient(socket);
    const params = Buffer.concat([
      cstr('user'),
      cstr('postgres'),
      cstr('database'),
      cstr('postgres'),
      cstr(''),
    ]);
    socket.write(Buffer.concat([int32(8 + params.length), int32(196608), params]));
    await client.until((r) => r.ready === 1);
    return client;
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  async until(done: (client: RawClient) => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!done(this)) {
      if (Date.now() > deadline) throw new Error(`no reply: ${JSON.stringify(this.errors)}`);
      await new Promise<void>((wake) => {
        this.wake = wake;
        setTimeout(wake, 50);
      });
    }
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5 && this.buffer.length >= 1 + this.buffer.readInt32BE(1)) {
      const size = 1 + this.buffer.readInt32BE(1);
      const type = String.fromCharCode(this.buffer[0]);
      const body = this.buffer.subarray(5, size);
      if (type === 'Z') this.ready++;
      if (type === 'D') this.rows.push(body.toString('utf8', 6, 6 + body.readInt32BE(2)));
      if (type === 'E')
        this.errors.push(
          body
            .toString('utf8')
            .split('\0')
            .find((f) => f[0] === 'M') ?? '',
        );
      this.buffer = this.buffer.subarray(size);
    }
    this.wake();
  }
}
