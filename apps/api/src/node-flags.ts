/**
 * The Node.js flags the API server runs with, wherever it is started: `npm start` and
 * `npm run start:prod` (package.json), the image's CMD (Dockerfile), the children of
 * `npm run cluster` (cluster.ts) and the ingest benchmark's server. The package.json
 * scripts and the Dockerfile cannot import this, so they spell the flags out; a unit test
 * (node-flags.spec.ts) keeps them equal to this list.
 *
 * `--max-semi-space-size=64` (MB; Node 20's default is 16): the young generation 4x larger, so
 * the objects of pings, acks and flushes in flight die before they are copied or promoted. Chosen
 * by `INGEST_N=20000 npm run bench:ingest` with and without it (bench/ingest/README.md, issue 15).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
