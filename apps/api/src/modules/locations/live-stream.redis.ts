import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { CabType, DriverStatus } from '@app/contracts';
import { geohashOf } from '@app/geo';
import { LiveRecord } from './live-drivers';

/** Geohash base32: the first character of a position names its partition. */
export const PARTITIONS = '0123456789bcdefghjkmnpqrstuvwxyz'.split('');
/** The partition of drivers without a position yet (a status change before the first ping). */
export const UNLOCATED = '_';

export const streamKey = (partition: string) => `live:stream:${partition}`;

export function partitionOf(lat: number, lng: number): string {
  return Number.isNaN(lat) || Number.isNaN(lng) ? UNLOCATED : geohashOf(lat, lng, 1);
}

/** The partitions a process follows: `*` is every one; the unlocated partition always. */
export function followed(partitions: '*' | readonly string[]): string[] {
  return [...(partitions === '*' ? PARTITIONS : partitions), UNLOCATED];
}

type Packed = [string, DriverStatus, CabType, ...(number | null)[]];

/** One flush's records as one compact field: JSON arrays, NaN as null. */
export function packRecords(records: readonly LiveRecord[]): string {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  return JSON.stringify(
    records.map((r): Packed => [
      r.driverId,
      r.status,
      r.cabType,
      n(r.lat),
      n(r.lng),
      n(r.heading),
      n(r.lastPingAtMs),
      n(r.lastSeenAtMs),
      n(r.statusChangedAtMs),
      r.pings ?? 0,
    ]),
  );
}

export function unpackRecords(field: string): LiveRecord[] {
  const x = (v: unknown, missing: number) => (typeof v === 'number' ? v : missing);
  const rows = JSON.parse(field) as Packed[];
  return rows
    .filter((r) => r[1] in DriverStatus && r[2] in CabType)
    .map((r) => ({
      driverId: r[0],
      status: r[1],
      cabType: r[2],
      lat: x(r[3], NaN),
      lng: x(r[4], NaN),
      heading: x(r[5], NaN),
      lastPingAtMs: x(r[6], NaN),
      lastSeenAtMs: x(r[7], -Infinity),
      statusChangedAtMs: x(r[8], -Infinity),
      pings: x(r[9], 0),
    }));
}

/** Groups records by the partition of their position. */
export function byPartition(records: readonly LiveRecord[]): Map<string, LiveRecord[]> {
  const groups = new Map<string, LiveRecord[]>();
  for (const r of records) {
    const partition = partitionOf(r.lat, r.lng);
    let group = groups.get(partition);
    if (!group) groups.set(partition, (group = []));
    group.push(r);
  }
  return groups;
}

/** Where each followed stream ends now: tail from here after loading the hash. */
export async function streamEnds(redis: Redis, partitions: readonly string[]) {
  const pipeline = redis.pipeline();
  for (const p of partitions) pipeline.xrevrange(streamKey(p), '+', '-', 'COUNT', 1);
  const results = (await pipeline.exec()) ?? [];
  const ends = new Map<string, string>();
  partitions.forEach((p, i) => {
    const entries = results[i]?.[1] as [string, string[]][] | undefined;
    ends.set(p, entries?.[0]?.[0] ?? '0-0');
  });
  return ends;
}

/**
 * Follows the location streams of other processes: one blocking XREAD over every followed
 * partition, on a connection of its own (a blocking read would stall the shared client), from
 * the ids where the start-up snapshot ended. Entries this process wrote are skipped.
 */
export class RedisLiveTail {
  private readonly logger = new Logger(RedisLiveTail.name);
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly origin: string,
    private readonly apply: (records: LiveRecord[], appendedAtMs: number) => void,
  ) {}

  start(from: Map<string, string>): void {
    const keys = [...from.keys()].map(streamKey);
    const ids = [...from.values()];
    this.loop = this.run(keys, ids);
  }

  private async run(keys: string[], ids: string[]): Promise<void> {
    while (!this.stopped) {
      try {
        const answer = (await this.redis.xread(
          'COUNT',
          200,
          'BLOCK',
          1_000,
          'STREAMS',
          ...keys,
          ...ids,
        )) as [string, [string, string[]][]][] | null;
        for (const [key, entries] of answer ?? []) {
          const at = keys.indexOf(key);
          for (const [id, fields] of entries) {
            ids[at] = id;
            if (fields[1] === this.origin) continue;
            this.apply(unpackRecords(fields[3]), Number(id.split('-')[0]));
          }
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error }, 'reading the location streams failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.redis.disconnect();
    await this.loop?.catch(() => undefined);
  }
}
