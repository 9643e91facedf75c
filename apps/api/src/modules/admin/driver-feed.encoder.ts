import {
  AdminDriversBatch,
  DRIVER_RECORD_BYTES,
  DriverStatus,
  driverRecordViews,
  FeedDriverCounts,
  FeedDriverState,
} from '@app/contracts';
import type { LiveDriver } from '../locations/live-drivers';

const EMPTY_COUNTS: FeedDriverCounts = { online: 0, available: 0, offered: 0, onTrip: 0, stale: 0 };

function feedState(d: LiveDriver, nowMs: number, staleBeforeMs: number): FeedDriverState {
  if (d.status === DriverStatus.OFFLINE || Number.isNaN(d.lat)) return FeedDriverState.OFFLINE;
  if (!(d.lastPingAtMs >= staleBeforeMs)) return FeedDriverState.STALE;
  if (d.status === DriverStatus.ON_TRIP) return FeedDriverState.ON_TRIP;
  if (d.offeredUntilMs > nowMs) return FeedDriverState.OFFERED;
  return FeedDriverState.AVAILABLE;
}

/**
 * Turns the live drivers into `admin:drivers` batches: numbers each driver once, remembers what
 * was last sent per number in typed arrays, and packs only what changed. No clock and no I/O;
 * one encoder describes what the sockets of one process have been told.
 */
export class DriverFeedEncoder {
  /** Driver id -> its number on this process's feed, and back. */
  private readonly numbers = new Map<string, number>();
  private readonly ids: string[] = [];
  private idsSent = 0;
  /** What this process's sockets were last told, per driver number. */
  private lastLatE6 = new Int32Array(1024);
  private lastLngE6 = new Int32Array(1024);
  private lastState = new Uint8Array(1024);
  /** Scratch columns for one batch, reused. */
  private outNumber = new Uint32Array(1024);
  private outLatE6 = new Int32Array(1024);
  private outLngE6 = new Int32Array(1024);
  private outState = new Uint8Array(1024);
  private counts: FeedDriverCounts = EMPTY_COUNTS;

  constructor(private readonly staleAfterMs: number) {}

  /** One pass over the drivers: the changed ones, packed; allocation is per batch. */
  next(drivers: Iterable<LiveDriver>, nowMs: number): AdminDriversBatch {
    const staleBeforeMs = nowMs - this.staleAfterMs;
    const counts = { online: 0, available: 0, offered: 0, onTrip: 0, stale: 0 };
    let changed = 0;
    for (const driver of drivers) {
      const state = feedState(driver, nowMs, staleBeforeMs);
      let n = this.numbers.get(driver.id);
      if (n === undefined) {
        if (state === FeedDriverState.OFFLINE) continue;
        n = this.number(driver.id);
      }
      if (state === FeedDriverState.AVAILABLE) counts.available += 1;
      else if (state === FeedDriverState.OFFERED) counts.offered += 1;
      else if (state === FeedDriverState.ON_TRIP) counts.onTrip += 1;
      else if (state === FeedDriverState.STALE) counts.stale += 1;
      const offline = state === FeedDriverState.OFFLINE;
      const latE6 = offline ? 0 : Math.round(driver.lat * 1e6);
      const lngE6 = offline ? 0 : Math.round(driver.lng * 1e6);
      if (
        state === this.lastState[n] &&
        latE6 === this.lastLatE6[n] &&
        lngE6 === this.lastLngE6[n]
      ) {
        continue;
      }
      this.lastState[n] = state;
      this.lastLatE6[n] = latE6;
      this.lastLngE6[n] = lngE6;
      if (changed === this.outNumber.length) this.growScratch();
      this.outNumber[changed] = n;
      this.outLatE6[changed] = latE6;
      this.outLngE6[changed] = lngE6;
      this.outState[changed] = state;
      changed += 1;
    }
    counts.online = counts.available + counts.offered + counts.onTrip + counts.stale;
    this.counts = counts;
    const batch: AdminDriversBatch = {
      full: false,
      atMs: nowMs,
      idsFrom: this.idsSent,
      ids: this.ids.slice(this.idsSent),
      count: changed,
      records: this.pack(changed, this.outNumber, this.outLatE6, this.outLngE6, this.outState),
      counts,
    };
    this.idsSent = this.ids.length;
    return batch;
  }

  /** Everything sent so far, as one `full` batch: a new socket starts from what others have. */
  snapshot(nowMs: number): AdminDriversBatch {
    const count = this.ids.length;
    const all = new Uint32Array(count);
    let onMap = 0;
    for (let n = 0; n < count; n++) {
      if (this.lastState[n] !== FeedDriverState.OFFLINE) all[onMap++] = n;
    }
    const latE6 = new Int32Array(onMap);
    const lngE6 = new Int32Array(onMap);
    const state = new Uint8Array(onMap);
    for (let i = 0; i < onMap; i++) {
      const n = all[i];
      latE6[i] = this.lastLatE6[n];
      lngE6[i] = this.lastLngE6[n];
      state[i] = this.lastState[n];
    }
    return {
      full: true,
      atMs: nowMs,
      idsFrom: 0,
      ids: this.ids.slice(0, this.idsSent),
      count: onMap,
      records: this.pack(onMap, all, latE6, lngE6, state),
      counts: this.counts,
    };
  }

  private pack(
    count: number,
    numbers: Uint32Array,
    latE6: Int32Array,
    lngE6: Int32Array,
    state: Uint8Array,
  ): Buffer {
    const buffer = new ArrayBuffer(count * DRIVER_RECORD_BYTES);
    const out = driverRecordViews(buffer, count);
    out.driverNumber.set(numbers.subarray(0, count));
    out.latE6.set(latE6.subarray(0, count));
    out.lngE6.set(lngE6.subarray(0, count));
    out.state.set(state.subarray(0, count));
    return Buffer.from(buffer);
  }

  private number(id: string): number {
    const n = this.ids.length;
    this.ids.push(id);
    this.numbers.set(id, n);
    if (n === this.lastState.length) {
      this.lastLatE6 = grow(this.lastLatE6, new Int32Array(n * 2));
      this.lastLngE6 = grow(this.lastLngE6, new Int32Array(n * 2));
      this.lastState = grow(this.lastState, new Uint8Array(n * 2));
    }
    return n;
  }

  private growScratch(): void {
    const size = this.outNumber.length * 2;
    this.outNumber = grow(this.outNumber, new Uint32Array(size));
    this.outLatE6 = grow(this.outLatE6, new Int32Array(size));
    this.outLngE6 = grow(this.outLngE6, new Int32Array(size));
    this.outState = grow(this.outState, new Uint8Array(size));
  }
}

function grow<T extends Int32Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
