/**
 * Redis Streams throughput on one Redis core, bounded: how many location-stream entries (one
 * flush of one partition, packed as the servers pack them) and bytes per second XADD and XREAD
 * sustain, normalised by the CPU Redis itself used (INFO cpu), so the figure is "per Redis core"
 * whether or not this client saturated it. Keys `bench:stream:*` of the bench Redis db only.
 *
 * Usage (standalone): ts-node -r tsconfig-paths/register --transpile-only bench/cluster/streams.ts
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { CabType, DriverStatus } from '@app/contracts';
import { LiveRecord } from '../../apps/api/src/modules/locations/live-drivers';
import { packRecords } from '../../apps/api/src/modules/locations/live-stream.redis';
import { progress } from '../ingest/common';
import { redisCpuSeconds } from './metrics';
import { BENCH_REDIS_URL } from './seed';

export interface StreamRow {
  op: 'XADD' | 'XREAD';
  recordsPerEntry: number;
  clients: number;
  seconds: number;
  entriesPerSecond: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  entryBytes: number;
  redisCpuPercent: number;
  /** The rates divided by Redis's CPU share: what one fully busy Redis core does. */
  entriesPerCoreSecond: number;
  recordsPerCoreSecond: number;
  megabytesPerCoreSecond: number;
}

function entryOf(records: number): string {
  const now = Date.now();
  const batch: LiveRecord[] = Array.from({ length: records }, (_, i) => ({
    driverId: randomUUID(),
    status: DriverStatus.AVAILABLE,
    cabType: CabType.ECONOMY,
    lat: 51.5 + i * 1e-5 + 0.123456,
    lng: -0.12 + i * 1e-5 + 0.654321,
    heading: 123,
    lastPingAtMs: now,
    lastSeenAtMs: now,
    statusChangedAtMs: now - 60_000,
  }));
  return packRecords(batch);
}

async function measure(
  admin: Redis,
  clients: Redis[],
  seconds: number,
  step: (client: Redis) => Promise<number>,
): Promise<{ entries: number; elapsedS: number; cpuPercent: number }> {
  const cpuBefore = await redisCpuSeconds(admin);
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const counts = await Promise.all(
    clients.map(async (client) => {
      let n = 0;
      while (Date.now() < deadline) n += await step(client);
      return n;
    }),
  );
  const elapsedS = (Date.now() - started) / 1000;
  const cpuPercent = (100 * ((await redisCpuSeconds(admin)) - cpuBefore)) / elapsedS;
  return { entries: counts.reduce((a, b) => a + b, 0), elapsedS, cpuPercent };
}

function row(
  op: StreamRow['op'],
  recordsPerEntry: number,
  clients: number,
  entryBytes: number,
  m: { entries: number; elapsedS: number; cpuPercent: number },
): StreamRow {
  const eps = m.entries / m.elapsedS;
  const share = Math.max(m.cpuPercent, 1) / 100;
  return {
    op,
    recordsPerEntry,
    clients,
    seconds: m.elapsedS,
    entriesPerSecond: eps,
    recordsPerSecond: eps * recordsPerEntry,
    megabytesPerSecond: (eps * entryBytes) / 1e6,
    entryBytes,
    redisCpuPercent: m.cpuPercent,
    entriesPerCoreSecond: eps / share,
    recordsPerCoreSecond: (eps * recordsPerEntry) / share,
    megabytesPerCoreSecond: (eps * entryBytes) / 1e6 / share,
  };
}

/** XADD then XREAD at two entry sizes; about 4 x `seconds` in all. */
export async function streamThroughput(seconds = 3, clientsCount = 3): Promise<StreamRow[]> {
  const admin = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 2 });
  const clients = Array.from(
    { length: clientsCount },
    () => new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 2 }),
  );
  const rows: StreamRow[] = [];
  const PIPELINE = 50;
  try {
    for (const recordsPerEntry of [10, 100]) {
      const entry = entryOf(recordsPerEntry);
      const entryBytes = Buffer.byteLength(entry) + 40; // + id, field names, origin
      const keys = clients.map((_, c) => `bench:stream:${recordsPerEntry}:${c}`);
      await admin.del(...keys);
      progress('streams', `XADD, ${recordsPerEntry} records per entry (${entryBytes} B)`);
      const add = await measure(admin, clients, seconds, async (client) => {
        const key = keys[clients.indexOf(client)];
        const p = client.pipeline();
        for (let i = 0; i < PIPELINE; i++) {
          p.xadd(key, 'MAXLEN', '~', 10_000, '*', 'o', 'bench-process', 'd', entry);
        }
        await p.exec();
        return PIPELINE;
      });
      rows.push(row('XADD', recordsPerEntry, clientsCount, entryBytes, add));
      // Every client reads every stream from the start, as each process tails every partition.
      progress('streams', `XREAD COUNT 200, ${recordsPerEntry} records per entry`);
      const cursors = new Map<Redis, string[]>(clients.map((c) => [c, keys.map(() => '0-0')]));
      const read = await measure(admin, clients, seconds, async (client) => {
        const ids = cursors.get(client) as string[];
        const answer = (await client.xread('COUNT', 200, 'STREAMS', ...keys, ...ids)) as
          [string, [string, string[]][]][] | null;
        let n = 0;
        for (const [key, entries] of answer ?? []) {
          n += entries.length;
          ids[keys.indexOf(key)] = entries[entries.length - 1][0];
        }
        if (n === 0) ids.fill('0-0'); // wrap around: the streams are bounded
        return n;
      });
      rows.push(row('XREAD', recordsPerEntry, clientsCount, entryBytes, read));
      await admin.del(...keys);
    }
  } finally {
    admin.disconnect();
    clients.forEach((c) => c.disconnect());
  }
  return rows;
}

if (require.main === module) {
  streamThroughput().then(
    (rows) => {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      progress('streams', `failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
