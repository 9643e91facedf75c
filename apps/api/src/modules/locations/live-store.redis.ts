import type Redis from 'ioredis';
import { DriverStatus } from '@app/contracts';
import { LiveRecord } from './live-drivers';
import { decodeState, encodeState, partitionOf, streamKey, streamLine } from './live-stream.redis';

const KEY = 'live:drivers';
/**
 * Set (if absent) with every flush: a flush that finds it gone knows Redis restarted empty
 * since this process started, and the hash must be filled again from the index.
 */
const MARKER = 'live:epoch';
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

  /**
   * One flush: the hash updated, and the changed records appended to their partitions. Each
   * record is encoded once, for both; the HSET is cut in chunks of CHUNK fields.
   */
  async write(changed: readonly LiveRecord[]): Promise<{ emptied: boolean }> {
    if (changed.length === 0) return { emptied: false };
    const multi = this.redis.multi();
    multi.set(MARKER, this.origin, 'NX');
    let fields: string[] = [];
    const offline: string[] = [];
    const lines = new Map<string, string[]>();
    for (const r of changed) {
      const state = encodeState(r);
      if (r.status === DriverStatus.OFFLINE) offline.push(r.driverId);
      else fields.push(r.driverId, state);
      if (fields.length >= 2 * CHUNK) {
        multi.hset(KEY, ...fields);
        fields = [];
      }
      const partition = partitionOf(r.lat, r.lng);
      let group = lines.get(partition);
      if (!group) lines.set(partition, (group = []));
      group.push(streamLine(r, state));
    }
    if (fields.length > 0) multi.hset(KEY, ...fields);
    if (offline.length > 0) multi.hdel(KEY, ...offline);
    for (const [partition, group] of lines) {
      multi.xadd(
        streamKey(partition),
        'MAXLEN',
        '~',
        this.streamMaxLen,
        '*',
        'o',
        this.origin,
        'd',
        group.join('\n'),
      );
    }
    const results = await multi.exec();
    return { emptied: results?.[0]?.[1] === 'OK' };
  }

  /** Marks Redis as holding this deployment's live state; true if it did not (empty, or new). */
  async claim(): Promise<boolean> {
    return (await this.redis.set(MARKER, this.origin, 'NX')) === 'OK';
  }

  /**
   * Fills the hash again after Redis came back empty with the records of online drivers: each
   * only where the hash has none (HSETNX), so a newer record its own process wrote meanwhile
   * stays. No stream entries: the other processes' indexes never lost these drivers.
   */
  async reseed(online: readonly LiveRecord[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < online.length; i += CHUNK) {
      const pipeline = this.redis.pipeline();
      for (const r of online.slice(i, i + CHUNK)) pipeline.hsetnx(KEY, r.driverId, encodeState(r));
      for (const [error, added] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        written += Number(added);
      }
    }
    return written;
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

/** A record this version cannot read is skipped, not fatal: the driver pings again within 3 s. */
function decode(driverId: string, value: string): LiveRecord | null {
  return decodeState(driverId, value.split('|'));
}
