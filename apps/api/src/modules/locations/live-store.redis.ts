import type Redis from 'ioredis';
import { CabType, DriverStatus } from '@app/contracts';
import { LiveRecord } from './live-drivers';
import { byPartition, packRecords, streamKey } from './live-stream.redis';

const KEY = 'live:drivers';
const CHUNK = 1_000;

/**
 * Live locations in Redis: one hash with every online driver's latest record (field = driver
 * id), and the location streams, one per partition, that carry each flush's changes to the
 * other processes. Both are written in one MULTI per flush, so a process that notes where the
 * streams end and then reads the hash misses nothing: every entry before those ends is in the
 * hash. Never one round trip per ping.
 */
export class RedisLiveStore {
  constructor(
    private readonly redis: Redis,
    private readonly origin: string,
    private readonly streamMaxLen: number,
  ) {}

  /** One flush: the hash updated, and the changed records appended to their partitions. */
  async write(changed: readonly LiveRecord[]): Promise<void> {
    if (changed.length === 0) return;
    const multi = this.redis.multi();
    const online = changed.filter((r) => r.status !== DriverStatus.OFFLINE);
    const offline = changed.filter((r) => r.status === DriverStatus.OFFLINE).map((r) => r.driverId);
    for (let start = 0; start < online.length; start += CHUNK) {
      const args: string[] = [];
      for (const r of online.slice(start, start + CHUNK)) args.push(r.driverId, encode(r));
      multi.hset(KEY, ...args);
    }
    if (offline.length > 0) multi.hdel(KEY, ...offline);
    for (const [partition, records] of byPartition(changed)) {
      multi.xadd(
        streamKey(partition),
        'MAXLEN',
        '~',
        this.streamMaxLen,
        '*',
        'o',
        this.origin,
        'd',
        packRecords(records),
      );
    }
    await multi.exec();
  }

  async loadAll(): Promise<LiveRecord[]> {
    const records: LiveRecord[] = [];
    let cursor = '0';
    do {
      const [next, entries] = await this.redis.hscan(KEY, cursor, 'COUNT', CHUNK);
      for (let i = 0; i < entries.length; i += 2) {
        const record = decode(entries[i], entries[i + 1]);
        if (record) records.push(record);
      }
      cursor = next;
    } while (cursor !== '0');
    return records;
  }
}

function encode(r: LiveRecord): string {
  return [
    r.status,
    r.cabType,
    r.lat,
    r.lng,
    r.heading,
    r.lastPingAtMs,
    r.lastSeenAtMs,
    r.statusChangedAtMs,
  ].join('|');
}

/** A record this version cannot read is skipped, not fatal: the driver pings again within 3 s. */
function decode(driverId: string, value: string): LiveRecord | null {
  const [status, cabType, lat, lng, heading, lastPingAtMs, lastSeenAtMs, statusChangedAtMs] =
    value.split('|');
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
