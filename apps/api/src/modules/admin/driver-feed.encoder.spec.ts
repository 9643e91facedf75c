import {
  AdminDriversBatch,
  CabType,
  DriverStatus,
  FeedDriverState,
  readDriverRecords,
} from '@app/contracts';
import { LiveDrivers } from '../locations/live-drivers';
import { DriverFeedEncoder } from './driver-feed.encoder';

const STALE_AFTER_MS = 15_000;
const T0 = 1_800_000_000_000;

/** What a client knows after applying batches: id -> [latE6, lngE6, state]. */
function applyAll(batches: AdminDriversBatch[]): Map<string, [number, number, number]> {
  let ids: string[] = [];
  const known = new Map<string, [number, number, number]>();
  for (const batch of batches) {
    if (batch.full) {
      ids = [];
      known.clear();
    }
    expect(batch.idsFrom).toBe(ids.length);
    ids.push(...batch.ids);
    const r = readDriverRecords(batch.records, batch.count);
    for (let i = 0; i < batch.count; i++) {
      const id = ids[r.driverNumber[i]];
      if (r.state[i] === FeedDriverState.OFFLINE) known.delete(id);
      else known.set(id, [r.latE6[i], r.lngE6[i], r.state[i]]);
    }
  }
  return known;
}

function online(live: LiveDrivers, id: string, lat: number, lng: number, atMs = T0) {
  const d = live.getOrCreate(id, CabType.ECONOMY);
  d.status = DriverStatus.AVAILABLE;
  d.lat = lat;
  d.lng = lng;
  d.lastPingAtMs = atMs;
  live.sync(d);
  return d;
}

describe('DriverFeedEncoder', () => {
  it('sends every driver on the map once, then only what changed', () => {
    const live = new LiveDrivers();
    const a = online(live, 'a', 51.5, -0.12);
    online(live, 'b', 51.51, -0.13);
    live.getOrCreate('offline', CabType.XL);
    const encoder = new DriverFeedEncoder(STALE_AFTER_MS);

    const first = encoder.next(live.online(), T0);
    expect(first).toMatchObject({ full: false, idsFrom: 0, ids: ['a', 'b'], count: 2 });
    expect(first.counts).toEqual({ online: 2, available: 2, offered: 0, onTrip: 0, stale: 0 });
    expect(applyAll([first])).toEqual(
      new Map([
        ['a', [51_500_000, -120_000, FeedDriverState.AVAILABLE]],
        ['b', [51_510_000, -130_000, FeedDriverState.AVAILABLE]],
      ]),
    );

    expect(encoder.next(live.online(), T0 + 250)).toMatchObject({ ids: [], count: 0 });

    a.lat = 51.5000004; // below a microdegree: not a change worth sending
    expect(encoder.next(live.online(), T0 + 500).count).toBe(0);
    a.lat = 51.501;
    const moved = encoder.next(live.online(), T0 + 750);
    expect(moved).toMatchObject({ idsFrom: 2, ids: [], count: 1 });
    expect(applyAll([first, moved]).get('a')).toEqual([51_501_000, -120_000, 1]);
  });

  it('marks offered, on-trip, stale and offline drivers, and removes the offline once', () => {
    const live = new LiveDrivers();
    const offered = online(live, 'offered', 10, 10);
    const onTrip = online(live, 'onTrip', 10.1, 10);
    const stale = online(live, 'stale', 10.2, 10, T0 - STALE_AFTER_MS - 1);
    const leaving = online(live, 'leaving', 10.3, 10);
    const encoder = new DriverFeedEncoder(STALE_AFTER_MS);
    const batches = [encoder.next(live.online(), T0)];

    offered.offeredUntilMs = T0 + 15_000;
    onTrip.status = DriverStatus.ON_TRIP;
    leaving.status = DriverStatus.OFFLINE;
    live.sync(leaving);
    batches.push(encoder.next(live.online(), T0 + 250));
    expect(batches[1].count).toBe(3);
    expect(batches[1].counts).toEqual({ online: 3, available: 0, offered: 1, onTrip: 1, stale: 1 });
    expect(applyAll(batches)).toEqual(
      new Map([
        ['offered', [10_000_000, 10_000_000, FeedDriverState.OFFERED]],
        ['onTrip', [10_100_000, 10_000_000, FeedDriverState.ON_TRIP]],
        ['stale', [10_200_000, 10_000_000, FeedDriverState.STALE]],
      ]),
    );
    // Gone is gone: the offline driver is not sent again.
    expect(encoder.next(live.online(), T0 + 500).count).toBe(0);
    // A fresh ping brings the stale driver back as available.
    stale.lastPingAtMs = T0 + 600;
    const back = encoder.next(live.online(), T0 + 750);
    expect(applyAll([...batches, back]).get('stale')?.[2]).toBe(FeedDriverState.AVAILABLE);
  });

  it('gives a new socket a snapshot from which the next batches apply as for everyone', () => {
    const live = new LiveDrivers();
    const drivers = Array.from({ length: 3_000 }, (_, i) =>
      online(live, `d${i}`, 40 + i * 1e-4, -3 - i * 1e-4),
    );
    const encoder = new DriverFeedEncoder(STALE_AFTER_MS);
    const everyone = [encoder.next(live.online(), T0)];
    for (const d of drivers.slice(0, 1_500)) d.lng += 0.001;
    drivers[7].status = DriverStatus.OFFLINE;
    everyone.push(encoder.next(live.online(), T0 + 250));

    const snapshot = encoder.snapshot(T0 + 300);
    expect(snapshot).toMatchObject({ full: true, idsFrom: 0, count: 2_999 });
    expect(snapshot.ids).toHaveLength(3_000);
    for (const d of drivers.slice(1_000, 2_000)) d.lat += 0.002;
    online(live, 'late', 41, -4);
    const next = encoder.next(live.online(), T0 + 500);
    expect(next).toMatchObject({ idsFrom: 3_000, ids: ['late'], count: 1_001 });

    expect(applyAll([snapshot, next])).toEqual(applyAll([...everyone, next]));
    expect(applyAll([snapshot, next]).size).toBe(3_000);
  });
});
