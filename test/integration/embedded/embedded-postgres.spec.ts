import { Client, Notification } from 'pg';
import { DataSource, EntitySchema, MigrationInterface, Point, QueryRunner } from 'typeorm';
import {
  EmbeddedPostgres,
  startEmbeddedPostgres,
} from '../../../apps/api/src/database/embedded/embedded-postgres';

/** One in-memory embedded server for the file: PGlite + PostGIS takes ~10 s to start. */
jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

let pg: EmbeddedPostgres;
const clients: Client[] = [];

async function connect(options: { options?: string } = {}): Promise<Client> {
  const client = new Client({ connectionString: pg.url, ...options });
  clients.push(client);
  await client.connect();
  return client;
}

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ inMemory: true });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  await pg?.close();
});

describe('embedded PostgreSQL', () => {
  it('serves PostGIS over the wire protocol on 127.0.0.1', async () => {
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/postgres?sslmode=disable`);
    const db = await connect();
    const { rows } = await db.query<{ version: string }>('SELECT postgis_version() AS version');
    expect(rows[0].version).toMatch(/^3\.\d/);

    // Two points in Paris ~1.1 km apart: within 2 km, not within 1 km (geography = metres).
    const near = await db.query<{ within2km: boolean; within1km: boolean; metres: number }>(
      `SELECT ST_DWithin(a, b, 2000) AS "within2km", ST_DWithin(a, b, 1000) AS "within1km",
              ST_Distance(a, b)::float8 AS metres
         FROM (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS a,
                      ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography AS b) AS p`,
      [2.3522, 48.8566, 2.3672, 48.8566],
    );
    expect(near.rows[0]).toMatchObject({ within2km: true, within1km: false });
    expect(near.rows[0].metres).toBeGreaterThan(1000);
  });

  describe('one PGlite session shared by many connections', () => {
    beforeAll(async () => {
      const db = await connect();
      await db.query('CREATE TABLE ledger (id serial PRIMARY KEY, who text NOT NULL, n int)');
    });

    async function rowsOf(who: string): Promise<number> {
      const db = await connect();
      const { rows } = await db.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM ledger WHERE who = $1',
        [who],
      );
      return rows[0].count;
    }

    it('runs two concurrent transactions one after the other, never interleaved', async () => {
      const [a, b] = await Promise.all([connect(), connect()]);
      const events: string[] = [];

      const txA = (async () => {
        await a.query('BEGIN');
        await a.query('INSERT INTO ledger (who, n) VALUES ($1, $2)', ['a', 1]);
        events.push('a: inserted');
        await sleep(200); // B tries to run meanwhile
        await a.query('INSERT INTO ledger (who, n) VALUES ($1, $2)', ['a', 2]);
        events.push('a: rollback');
        await a.query('ROLLBACK');
      })();

      const txB = (async () => {
        await sleep(50); // A is inside its transaction by now
        await b.query('BEGIN');
        events.push('b: begun');
        // Same session: were B let in, it would be inside A's transaction and see A's row.
        const seen = await b.query<{ count: number }>(
          "SELECT count(*)::int AS count FROM ledger WHERE who = 'a'",
        );
        await b.query('INSERT INTO ledger (who, n) VALUES ($1, $2)', ['b', seen.rows[0].count]);
        await b.query('COMMIT');
        events.push('b: committed');
        return seen.rows[0].count;
      })();

      const [, seenByB] = await Promise.all([txA, txB]);
      expect(seenByB).toBe(0);
      expect(events).toEqual(['a: inserted', 'a: rollback', 'b: begun', 'b: committed']);
      expect(await rowsOf('a')).toBe(0); // A's ROLLBACK undid only A's work ...
      expect(await rowsOf('b')).toBe(1); // ... and B's COMMIT was its own, not swallowed by A.
    });

    it('keeps an extended-protocol batch together even when it arrives in pieces', async () => {
      // A 300 kB parameter makes `pg`'s Parse/Bind/Execute/Sync batch span several TCP reads.
      // pglite-socket's own queue lets another connection's Parse in between, replacing the
      // unnamed statement: A would then run B's SQL.
      const [a, b] = await Promise.all([connect(), connect()]);
      const big = 'x'.repeat(300_000);
      let done = false;
      const wrong: string[] = [];
      const runA = async () => {
        for (let i = 0; i < 30; i++) {
          const { rows } = await a.query<{ len: number }>('SELECT length($1::text) AS len', [big]);
          if (rows[0].len !== big.length) wrong.push(`a got ${Object.keys(rows[0]).join()}`);
        }
        done = true;
      };
      const runB = async () => {
        for (let i = 0; !done; i++) {
          const { rows } = await b.query<{ echo: string }>('SELECT $1::text AS echo', [`b${i}`]);
          if (rows[0].echo !== `b${i}`) wrong.push(`b got ${String(rows[0].echo).slice(0, 10)}`);
        }
      };
      await Promise.all([runA(), runB()]);
      expect(wrong).toEqual([]);
    });

    it('rolls back what a client left open when it disconnects, and lets others go on', async () => {
      const quitter = new Client({ connectionString: pg.url });
      await quitter.connect();
      const other = await connect(); // connecting waits too while a transaction is open
      await quitter.query('BEGIN');
      await quitter.query("INSERT INTO ledger (who) VALUES ('quitter')");
      const waiting = other.query("INSERT INTO ledger (who) VALUES ('other')"); // waits its turn
      await sleep(50);
      await quitter.end();
      await waiting;
      expect(await rowsOf('quitter')).toBe(0);
      expect(await rowsOf('other')).toBe(1);
    });

    it('gives each connection the search_path of its startup options', async () => {
      const [app, bull] = await Promise.all([
        connect(),
        connect({ options: '-c search_path=bullmq' }),
      ]);
      for (let i = 0; i < 3; i++) {
        const [x, y] = await Promise.all([
          app.query<{ s: string }>('SELECT current_schema() AS s'),
          bull.query<{ s: string }>('SELECT current_schema() AS s'),
        ]);
        expect([x.rows[0].s, y.rows[0].s]).toEqual(['public', 'bullmq']);
      }
    });

    it('delivers NOTIFY to the connections that LISTEN, not to the notifier', async () => {
      const [listener, notifier, quitter] = await Promise.all([connect(), connect(), connect()]);
      const heard: string[] = [];
      const misrouted: string[] = [];
      listener.on('notification', (n: Notification) => heard.push(`${n.channel}:${n.payload}`));
      notifier.on('notification', (n: Notification) => misrouted.push(n.channel));
      await listener.query('LISTEN rides');
      await quitter.query('LISTEN rides');
      await quitter.query('UNLISTEN rides'); // shared session: must not unsubscribe the listener
      await notifier.query("SELECT pg_notify('rides', 'r1')");
      await notifier.query('BEGIN');
      await notifier.query("NOTIFY rides, 'r2'");
      await notifier.query('COMMIT');
      await sleep(100);
      expect(heard).toEqual(['rides:r1', 'rides:r2']);
      expect(misrouted).toEqual([]);
    });
  });

  it('serves a TypeORM DataSource: migration, and transactions that commit or roll back', async () => {
    class CreateTrip1700000000000 implements MigrationInterface {
      async up(runner: QueryRunner): Promise<void> {
        await runner.query(`CREATE TABLE trip (
          id serial PRIMARY KEY, rider text NOT NULL, pickup geography(Point, 4326) NOT NULL)`);
      }
      async down(runner: QueryRunner): Promise<void> {
        await runner.query('DROP TABLE trip');
      }
    }
    interface Trip {
      id?: number;
      rider: string;
      pickup: Point;
    }
    const TripSchema = new EntitySchema<Trip>({
      name: 'trip',
      columns: {
        id: { type: Number, primary: true, generated: true },
        rider: { type: String },
        pickup: { type: 'geography', spatialFeatureType: 'Point', srid: 4326 },
      },
    });
    const point = (lng: number, lat: number): Point => ({ type: 'Point', coordinates: [lng, lat] });
    const dataSource = new DataSource({
      type: 'postgres',
      url: pg.url,
      synchronize: false,
      entities: [TripSchema],
      migrations: [CreateTrip1700000000000],
      migrationsTableName: 'typeorm_migrations',
      poolSize: 4,
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      await dataSource.transaction(async (manager) => {
        await manager.insert(TripSchema, { rider: 'ada', pickup: point(2.35, 48.85) });
      });
      await expect(
        dataSource.transaction(async (manager) => {
          await manager.insert(TripSchema, { rider: 'bob', pickup: point(2.36, 48.86) });
          throw new Error('half-written trip');
        }),
      ).rejects.toThrow('half-written trip');
      const riders = await dataSource.getRepository(TripSchema).find({ order: { id: 'ASC' } });
      expect(riders.map((trip) => [trip.rider, trip.pickup])).toEqual([
        ['ada', point(2.35, 48.85)],
      ]);
      const [where] = await dataSource.query<{ schema: string }[]>(
        "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'typeorm_migrations'",
      );
      expect(where.schema).toBe('public');
    } finally {
      await dataSource.destroy();
    }
  });
});
