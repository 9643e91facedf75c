import { LiveDrivers, LiveRecord, recordOf } from './live-drivers';
import {
  byPartition,
  packRecords,
  partitionOf,
  unpackRecords,
  UNLOCATED,
} from './live-stream.redis';

const record = (over: Partial<LiveRecord> = {}): LiveRecord => ({
  driverId: 'd1',
  status: 'AVAILABLE',
  cabType: 'ECONOMY',
  lat: 48.85,
  lng: 2.35,
  heading: NaN,
  lastPingAtMs: 1_000,
  lastSeenAtMs: 1_000,
  statusChangedAtMs: 500,
  ...over,
});

describe('LiveDrivers.applyRemote (replication)', () => {
  it('takes a newer position, and seeds the plausibility check with it', () => {
    const live = new LiveDrivers();
    expect(live.applyRemote(record())).toBe(true);
    const d = live.get('d1');
    expect(d).toMatchObject({ lat: 48.85, lng: 2.35, status: 'AVAILABLE', lastPingAtMs: 1_000 });
    expect(d?.history).toMatchObject({ lastLat: 48.85, lastLng: 2.35, lastTs: 1_000 });
    expect(live.index.size).toBe(1);
  });

  it('never moves a driver back: an older ping or status changes nothing', () => {
    const live = new LiveDrivers();
    live.applyRemote(record({ lat: 1, lng: 1, lastPingAtMs: 2_000, statusChangedAtMs: 900 }));
    expect(
      live.applyRemote(record({ lat: 9, lng: 9, lastPingAtMs: 1_500, status: 'OFFLINE' })),
    ).toBe(false);
    expect(live.get('d1')).toMatchObject({ lat: 1, lng: 1, status: 'AVAILABLE' });
  });

  it('orders status by its change time, not by the ping that carried it', () => {
    const live = new LiveDrivers();
    // Process B assigned the driver (ON_TRIP at 3 000) ...
    live.applyRemote(record({ status: 'ON_TRIP', statusChangedAtMs: 3_000 }));
    // ... then A's later ping still carries A's older view (AVAILABLE since 500).
    live.applyRemote(record({ lat: 48.86, lastPingAtMs: 4_000, statusChangedAtMs: 500 }));
    expect(live.get('d1')).toMatchObject({ status: 'ON_TRIP', lat: 48.86 });
  });

  it('keeps the latest sign of life, and takes a driver off the index when it goes offline', () => {
    const live = new LiveDrivers();
    live.applyRemote(record({ lastSeenAtMs: 5_000 }));
    live.applyRemote(record({ lastSeenAtMs: 4_000 }));
    expect(live.get('d1')?.lastSeenAtMs).toBe(5_000);
    live.applyRemote(record({ status: 'OFFLINE', statusChangedAtMs: 6_000 }));
    expect(live.index.size).toBe(0);
  });

  it('hands the pings counted since the last flush to exactly one record', () => {
    const live = new LiveDrivers();
    live.applyRemote(record());
    const d = live.get('d1');
    if (!d) throw new Error('no driver');
    d.pingsSinceFlush = 3;
    expect(recordOf(d).pings).toBe(3);
    expect(recordOf(d).pings).toBe(0);
  });
});

describe('location stream records', () => {
  it('round-trip through the packed field, NaN and all', () => {
    const records = [record({ pings: 2 }), record({ driverId: 'd2', lat: NaN, lng: NaN })];
    expect(unpackRecords(packRecords(records))).toEqual([
      { ...records[0], pings: 2 },
      { ...records[1], pings: 0 },
    ]);
  });

  it('skips a record this version cannot read', () => {
    expect(unpackRecords('d1|FLYING|ECONOMY|1|2|NaN|1|1|1|0')).toEqual([]);
    const good = packRecords([record({ pings: 1 })]);
    expect(unpackRecords(`${good}\nd2|FLYING|ECONOMY|1|2|NaN|1|1|1|0`)).toHaveLength(1);
  });

  it('reads the JSON entries of the previous version (a rolling upgrade)', () => {
    const legacy = JSON.stringify([
      ['d1', 'AVAILABLE', 'ECONOMY', 48.85, 2.35, null, 1, 1, 1, 2],
      ['d2', 'FLYING', 'ECONOMY', 1, 2, null, 1, 1, 1, 0],
    ]);
    expect(unpackRecords(legacy)).toEqual([
      expect.objectContaining({ driverId: 'd1', lat: 48.85, heading: NaN, pings: 2 }),
    ]);
  });

  it('partitions by the first geohash character; unlocated drivers apart', () => {
    expect(partitionOf(48.85, 2.35)).toBe('u');
    expect(partitionOf(40.71, -74.0)).toBe('d');
    expect(partitionOf(NaN, NaN)).toBe(UNLOCATED);
    const groups = byPartition([
      record(),
      record({ driverId: 'ny', lat: 40.71, lng: -74.0 }),
      record({ driverId: 'x', lat: NaN, lng: NaN }),
    ]);
    expect([...groups.keys()].sort()).toEqual(['_', 'd', 'u']);
  });
});
