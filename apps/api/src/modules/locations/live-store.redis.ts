import type Redis from 'ioredis';
import { CabType, DriverStatus } from '@app/contracts';
import { LiveSnapshot } from './live-drivers';

const KEY = 'live:drivers';
const CHUNK = 1_000;

/**
 * Live locations in one Redis hash, field = driver id, value = a compact record. Written in
 * batches (one HSET per thousand drivers), never one round trip per ping.
 */
export class RedisLiveStore {
  constructor(private readonly redis: Redis) {}

  async save(snapshots: LiveSnapshot[]): Promise<void> {
    for (let start = 0; start < snapshots.length; start += CHUNK) {
      const args: string[] = [];
      for (const s of snapshots.slice(start, start + CHUNK)) args.push(s.driverId, encode(s));
      await this.redis.hset(KEY, ...args);
    }
  }

  async remove(driverIds: string[]): Promise<void> {
    if (driverIds.length > 0) await this.redis.hdel(KEY, ...driverIds);
  }

  async loadAll(): Promise<LiveSnapshot[]> {
    const snapshots: LiveSnapshot[] = [];
    let cursor = '0';
    do {
      const [next, entries] = await this.redis.hscan(KEY, cursor, 'COUNT', CHUNK);
      for (let i = 0; i < entries.length; i += 2) {
        const snapshot = decode(entries[i], entries[i + 1]);
        if (snapshot) snapshots.push(snapshot);
      }
      cursor = next;
    } while (cursor !== '0');
    return snapshots;
  }
}

function encode(s: LiveSnapshot): string {
  return [s.status, s.cabType, s.lat, s.lng, s.heading, s.lastPingAtMs].join('|');
}

/** A record this version cannot read is skipped, not fatal: the driver pings again within 3 s. */
function decode(driverId: string, value: string): LiveSnapshot | null {
  const [status, cabType, lat, lng, heading, lastPingAtMs] = value.split('|');
  if (!(status in DriverStatus) || !(cabType in CabType)) return null;
  return {
    driverId,
    status: status as DriverStatus,
    cabType: cabType as CabType,
    lat: Number(lat),
    lng: Number(lng),
    heading: Number(heading),
    lastPingAtMs: Number(lastPingAtMs),
  };
}
