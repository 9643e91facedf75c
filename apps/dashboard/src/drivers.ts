import {
  AdminDriversBatch,
  AdminTripsBatch,
  FeedDriverCounts,
  FeedDriverState,
  FeedTrip,
  readDriverRecords,
} from '@app/contracts';

/**
 * The city as the `/admin` feed describes it: one slot per driver number in typed arrays
 * (no object per driver), replaced by a `full` batch and patched by the others.
 */
export class DriverStore {
  ids: string[] = [];
  private numbers = new Map<string, number>();
  latE6 = new Int32Array(1024);
  lngE6 = new Int32Array(1024);
  state = new Uint8Array(1024);
  /** Drivers with a state other than OFFLINE. */
  onMap = 0;
  counts: FeedDriverCounts = { online: 0, available: 0, offered: 0, onTrip: 0, stale: 0 };
  /** Bumped by every applied batch, so a frame can tell what it drew. */
  version = 0;
  batches = 0;
  trips: FeedTrip[] = [];
  tripsLimit = 0;

  apply(batch: AdminDriversBatch): void {
    if (batch.full) {
      this.ids = [];
      this.numbers.clear();
      this.state.fill(FeedDriverState.OFFLINE);
      this.onMap = 0;
    }
    if (batch.idsFrom !== this.ids.length) {
      throw new Error(`feed out of step: ids from ${batch.idsFrom}, have ${this.ids.length}`);
    }
    for (const id of batch.ids) {
      this.numbers.set(id, this.ids.length);
      this.ids.push(id);
    }
    this.ensure(this.ids.length);
    const r = readDriverRecords(batch.records, batch.count);
    for (let i = 0; i < batch.count; i++) {
      const n = r.driverNumber[i];
      const was = this.state[n];
      const now = r.state[i];
      if (was === FeedDriverState.OFFLINE && now !== FeedDriverState.OFFLINE) this.onMap += 1;
      else if (was !== FeedDriverState.OFFLINE && now === FeedDriverState.OFFLINE) this.onMap -= 1;
      this.state[n] = now;
      this.latE6[n] = r.latE6[i];
      this.lngE6[n] = r.lngE6[i];
    }
    this.counts = batch.counts;
    this.version += 1;
    this.batches += 1;
  }

  applyTrips(batch: AdminTripsBatch): void {
    this.trips = batch.trips;
    this.tripsLimit = batch.limit;
    this.version += 1;
  }

  numberOf(id: string): number | undefined {
    return this.numbers.get(id);
  }

  /** `[lat, lng, state]` of a driver on the map, or null. */
  positionOf(id: string): [number, number, number] | null {
    const n = this.numbers.get(id);
    if (n === undefined || this.state[n] === FeedDriverState.OFFLINE) return null;
    return [this.latE6[n] / 1e6, this.lngE6[n] / 1e6, this.state[n]];
  }

  private ensure(size: number): void {
    if (size <= this.state.length) return;
    let capacity = this.state.length;
    while (capacity < size) capacity *= 2;
    const lat = new Int32Array(capacity);
    const lng = new Int32Array(capacity);
    const state = new Uint8Array(capacity);
    lat.set(this.latE6);
    lng.set(this.lngE6);
    state.set(this.state);
    this.latE6 = lat;
    this.lngE6 = lng;
    this.state = state;
  }
}
