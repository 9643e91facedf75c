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

/** How long one XREAD of the tail blocks waiting for entries. */
export const TAIL_BLOCK_MS = 1_000;
/**
 * The tail's own command timeout: the block plus room for a loaded event loop. The shared
 * client's short timeout would cut a blocking read that is merely late to be read, and every
 * such cut costs the retry's pause in replication lag.
 */
export const TAIL_COMMAND_TIMEOUT_MS = TAIL_BLOCK_MS + 4_000;

export function partitionOf(lat: number, lng: number): string {
  return Number.isNaN(lat) || Number.isNaN(lng) ? UNLOCATED : geohashOf(lat, lng, 1);
}

/** The partitions a process follows: `*` is every one; the unlocated partition always. */
export function followed(partitions: '*' | readonly string[]): string[] {
  return [...(partitions === '*' ? PARTITIONS : partitions), UNLOCATED];
}

type Packed = [string, DriverStatus, CabType, ...(number | null)[]];

/**
 * A record's state as one `|`-separated string: the value of the latest-records hash, and
 * (behind the id, before the ping count) a line of a stream entry, so a flush encodes each
 * driver once for both. NaN and infinities print as themselves and `Number` reads them back.
 */
export function encodeState(r: LiveRecord): string {
  return `${r.status}|${r.cabType}|${r.lat}|${r.lng}|${r.heading}|${r.lastPingAtMs}|${r.lastSeenAtMs}|${r.statusChangedAtMs}`;
}

/** The inverse of `encodeState` (fields from index `at` of `parts`); null if unreadable. */
export function decodeState(driverId: string, parts: readonly string[], at = 0): LiveRecord | null {
  const [status, cabType, lat, lng, heading, lastPingAtMs, lastSeenAtMs, statusChangedAtMs] =
    parts.slice(at, at + 8);
  if (!(status in DriverStatus) || !(cabType in CabType)) return null;
  const pingAt = Number(lastPingAtMs);
  return {
    driverId,
    status: status as DriverStatus,
    cabType: cabType as CabType,
    lat: Number(lat),
    lng: Number(lng),
    heading: Number(heading),
    lastPingAtMs: pingAt,
    // Records written before these fields existed: their ping time stands in.
    lastSeenAtMs: lastSeenAtMs === undefined ? pingAt : Number(lastSeenAtMs),
    statusChangedAtMs: statusChangedAtMs === undefined ? pingAt : Number(statusChangedAtMs),
  };
}

/** A stream line: `id|state|pings`. */
export function streamLine(r: LiveRecord, state = encodeState(r)): string {
  return `${r.driverId}|${state}|${r.pings ?? 0}`;
}

/** One flush's records as one field: a line per record. */
export function packRecords(records: readonly LiveRecord[]): string {
  return records.map((r) => streamLine(r)).join('\n');
}

/** Reads a packed field; an unreadable line is skipped (the driver pings again within 3 s). */
export function unpackRecords(field: string): LiveRecord[] {
  // Entries of versions that packed JSON arrays, during a rolling upgrade.
  if (field.startsWith('[')) return unpackJson(field);
  const records: LiveRecord[] = [];
  for (const line of field.split('\n')) {
    const parts = line.split('|');
    const record = decodeState(parts[0], parts, 1);
    if (!record) continue;
    record.pings = Number(parts[9]) || 0;
    records.push(record);
  }
  return records;
}

function unpackJson(field: string): LiveRecord[] {
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
          TAIL_BLOCK_MS,
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
