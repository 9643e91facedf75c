import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  EmbeddedPostgres,
  startEmbeddedPostgres,
} from '../../../apps/api/src/database/embedded/embedded-postgres';

/** Where the data lives: a data folder that survives close/reopen, or memory that does not. */
jest.setTimeout(120_000);

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'embedded-pg-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function withClient<T>(pg: EmbeddedPostgres, use: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: pg.url });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

async function timed<T>(start: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await start();
  return [value, Date.now() - started];
}

it('keeps its data in a data folder across close and reopen', async () => {
  const dataDir = join(root, 'nested', 'pgdata'); // created, parents included

  const [first, firstStartMs] = await timed(() => startEmbeddedPostgres({ dataDir }));
  try {
    await withClient(first, async (db) => {
      await db.query('CREATE TABLE driver (id int PRIMARY KEY, at geography(Point, 4326))');
      await db.query("INSERT INTO driver VALUES (1, 'SRID=4326;POINT(2.35 48.85)')");
    });
  } finally {
    await first.close();
  }
  expect(await readdir(dataDir)).toContain('PG_VERSION');

  const [second, reopenMs] = await timed(() => startEmbeddedPostgres({ dataDir }));
  try {
    const rows = await withClient(second, async (db) => {
      const result = await db.query<{ id: number; lng: number }>(
        'SELECT id, ST_X(at::geometry) AS lng FROM driver',
      );
      return result.rows;
    });
    expect(rows).toEqual([{ id: 1, lng: 2.35 }]);
  } finally {
    await second.close();
  }
  process.stdout.write(`embedded-pg: first start ${firstStartMs} ms, reopen ${reopenMs} ms\n`);
});

it('runs in memory, writing nothing to disk', async () => {
  // dataDir is ignored in memory; the other embedded specs run in memory throughout.
  const dataDir = join(root, 'unused');
  const [pg, inMemoryStartMs] = await timed(() =>
    startEmbeddedPostgres({ inMemory: true, dataDir }),
  );
  try {
    const { rows } = await withClient(pg, (db) =>
      db.query("SELECT to_regclass('driver') AS t, postgis_version() AS v"),
    );
    expect(rows[0]).toMatchObject({ t: null, v: expect.stringMatching(/^3\./) });
  } finally {
    await pg.close();
  }
  expect(await readdir(root)).not.toContain('unused');
  process.stdout.write(`embedded-pg: in-memory start ${inMemoryStartMs} ms\n`);
});

it('refuses to start with neither a data folder nor inMemory', async () => {
  await expect(startEmbeddedPostgres({})).rejects.toThrow(/dataDir/);
});
