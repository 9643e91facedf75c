import type * as PgliteModule from '@electric-sql/pglite';
import type * as PostgisModule from '@electric-sql/pglite-postgis';

test('probe', async () => {
  const nodeRequire = process.getBuiltinModule('module').createRequire(__filename);
  const { PGlite } = nodeRequire('@electric-sql/pglite') as typeof PgliteModule;
  const { postgis } = nodeRequire('@electric-sql/pglite-postgis') as typeof PostgisModule;
  let t = Date.now();
  const db = await PGlite.create({ dataDir: 'memory://', extensions: { postgis } });
  console.log('create', Date.now() - t);
  t = Date.now();
  await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  console.log('ext', Date.now() - t);
  const r = await db.query('SELECT postgis_version() AS v');
  console.log(r.rows);
  await db.close();
}, 60000);
