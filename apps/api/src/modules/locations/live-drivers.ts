import { CabType, DriverStatus } from '@app/contracts';
import { newPingHistory, PingHistory } from '@app/domain';
import { Neighbor, ShardedQuadtree } from '@app/geo';

/** One driver's live state. Mutated in place on every ping: no allocation on the hot path. */
export interface LiveDriver {
  readonly id: string;
  status: DriverStatus;
  cabType: CabType;
  /** NaN until the first accepted ping. */
  lat: number;
  lng: number;
  /** Degrees clockwise from north, NaN when the phone did not say. */
  heading: number;
  /** Server time of the last accepted ping; NaN before the first. */
  lastPingAtMs: number;
  /** Server time of the last sign of life (a ping or a status change), for the offline timeout. */
  lastSeenAtMs: number;
  /** Server time of the last status change: of two processes' statuses, the later one wins. */
  statusChangedAtMs: number;
  readonly history: PingHistory;
  implausibleCount: number;
  /**
   * Until when the driver holds an offer (server ms), NaN when none: such a driver is skipped
   * by matching searches. A hint kept by this process; the database index is the authority.
   */
  offeredUntilMs: number;
  /** Server time of the last write to PostgreSQL. */
  lastDbWriteAtMs: number;
  /** Pings accepted here since the last flush, reported to the other processes with it. */
  pingsSinceFlush: number;
  /** The driver's point in the index (what `upsert` returned), -1 while it is not indexed. */
  handle: number;
  /** Waiting for the next Redis write, and for a PostgreSQL write (see LivePersistence). */
  queuedForRedis: boolean;
  queuedForDb: boolean;
}

/** What the stores keep of a live driver, enough to rebuild the index after a restart. */
export interface LiveSnapshot {
  driverId: string;
  status: DriverStatus;
  cabType: CabType;
  lat: number;
  lng: number;
  heading: number;
  lastPingAtMs: number;
}

/** A snapshot with the times that order it against other processes' (Redis and replication). */
export interface LiveRecord extends LiveSnapshot {
  lastSeenAtMs: number;
  statusChangedAtMs: number;
  /** Pings the writing process accepted since its previous flush (streams only). */
  pings?: number;
}

/**
 * Every known driver's live state, and the location index over those that are online with a
 * position. A driver's state is kept for the life of the process, never replaced, so a
 * gateway may hold the reference. The index holds the LiveDriver itself as data, so a search filter reads status,
 * cab type and freshness without a lookup.
 */
export class LiveDrivers {
  private readonly drivers = new Map<string, LiveDriver>();
  readonly index = new ShardedQuadtree<LiveDriver>();

  get(id: string): LiveDriver | undefined {
    return this.drivers.get(id);
  }

  getOrCreate(id: string, cabType: CabType): LiveDriver {
    let driver = this.drivers.get(id);
    if (!driver) {
      driver = {
        id,
        status: DriverStatus.OFFLINE,
        cabType,
        lat: NaN,
        lng: NaN,
        heading: NaN,
        lastPingAtMs: NaN,
        lastSeenAtMs: NaN,
        statusChangedAtMs: -Infinity,
        history: newPingHistory(),
        implausibleCount: 0,
        offeredUntilMs: NaN,
        lastDbWriteAtMs: -Infinity,
        pingsSinceFlush: 0,
        handle: -1,
        queuedForRedis: false,
        queuedForDb: false,
      };
      this.drivers.set(id, driver);
    }
    driver.cabType = cabType;
    return driver;
  }

  /**
   * Keeps the index in step with the driver's status and position. A driver already indexed
   * moves by its handle: no id lookup on the ping path (only this class changes the index, so
   * the handle stays valid until the driver leaves it).
   */
  sync(driver: LiveDriver): void {
    if (driver.status !== DriverStatus.OFFLINE && !Number.isNaN(driver.lat)) {
      if (driver.handle >= 0) this.index.move(driver.handle, driver.lat, driver.lng);
      else driver.handle = this.index.upsert(driver.id, driver.lat, driver.lng, driver);
    } else if (driver.handle >= 0) {
      this.index.remove(driver.id);
      driver.handle = -1;
    }
  }

  restore(snapshot: LiveSnapshot | LiveRecord): LiveDriver {
    const driver = this.getOrCreate(snapshot.driverId, snapshot.cabType);
    const record = withTimes(snapshot);
    driver.status = snapshot.status;
    driver.statusChangedAtMs = record.statusChangedAtMs;
    driver.lat = snapshot.lat;
    driver.lng = snapshot.lng;
    driver.heading = snapshot.heading;
    driver.lastPingAtMs = snapshot.lastPingAtMs;
    driver.lastSeenAtMs = record.lastSeenAtMs;
    driver.history.lastLat = snapshot.lat;
    driver.history.lastLng = snapshot.lng;
    driver.history.lastTs = snapshot.lastPingAtMs;
    this.sync(driver);
    return driver;
  }

  /**
   * Applies another process's view of a driver (replication). Each part wins only if it is
   * newer: the position by its ping time, the status by its change time, so a late entry never
   * moves a driver back. The last fix also seeds the plausibility check, so a driver who
   * reconnects to this process cannot teleport. Returns whether anything changed.
   */
  applyRemote(snapshot: LiveRecord): boolean {
    const driver = this.getOrCreate(snapshot.driverId, snapshot.cabType);
    let changed = false;
    if (snapshot.statusChangedAtMs > driver.statusChangedAtMs) {
      driver.status = snapshot.status;
      driver.statusChangedAtMs = snapshot.statusChangedAtMs;
      changed = true;
    }
    if (snapshot.lastPingAtMs > driver.lastPingAtMs || Number.isNaN(driver.lastPingAtMs)) {
      if (!Number.isNaN(snapshot.lat)) {
        driver.lat = snapshot.lat;
        driver.lng = snapshot.lng;
        driver.heading = snapshot.heading;
        driver.lastPingAtMs = snapshot.lastPingAtMs;
        driver.history.lastLat = snapshot.lat;
        driver.history.lastLng = snapshot.lng;
        driver.history.lastTs = snapshot.lastPingAtMs;
        changed = true;
      }
    }
    if (!(driver.lastSeenAtMs >= snapshot.lastSeenAtMs))
      driver.lastSeenAtMs = snapshot.lastSeenAtMs;
    if (changed) this.sync(driver);
    return changed;
  }

  /** Available drivers of a cab type with a ping fresher than `staleBeforeMs`, nearest first. */
  nearestAvailable(
    lat: number,
    lng: number,
    query: {
      k: number;
      radiusMeters: number;
      cabType?: CabType;
      staleBeforeMs: number;
      excludeIds?: ReadonlySet<string>;
      /** Skip drivers holding an offer at this time. */
      withoutOfferAtMs?: number;
    },
  ): Neighbor<LiveDriver>[] {
    const { cabType, staleBeforeMs, excludeIds, withoutOfferAtMs } = query;
    return this.index.nearest(lat, lng, {
      k: query.k,
      radiusMeters: query.radiusMeters,
      filter: (_, d) =>
        d !== undefined &&
        d.status === DriverStatus.AVAILABLE &&
        d.lastPingAtMs >= staleBeforeMs &&
        (cabType === undefined || d.cabType === cabType) &&
        !(withoutOfferAtMs !== undefined && d.offeredUntilMs > withoutOfferAtMs) &&
        !excludeIds?.has(d.id),
    });
  }

  online(): IterableIterator<LiveDriver> {
    return this.drivers.values();
  }

  counts(staleBeforeMs: number): {
    online: number;
    available: number;
    onTrip: number;
    stale: number;
  } {
    let available = 0;
    let onTrip = 0;
    let stale = 0;
    for (const d of this.drivers.values()) {
      if (d.status === DriverStatus.AVAILABLE) available += 1;
      else if (d.status === DriverStatus.ON_TRIP) onTrip += 1;
      if (d.status !== DriverStatus.OFFLINE && !(d.lastPingAtMs >= staleBeforeMs)) stale += 1;
    }
    return { online: available + onTrip, available, onTrip, stale };
  }
}

/** A snapshot from a store that kept no times (PostgreSQL, older records): its ping time. */
export function withTimes(snapshot: LiveSnapshot | LiveRecord): LiveRecord {
  return 'statusChangedAtMs' in snapshot
    ? snapshot
    : {
        ...snapshot,
        lastSeenAtMs: snapshot.lastPingAtMs,
        statusChangedAtMs: snapshot.lastPingAtMs,
      };
}

/** The driver's record for a flush; takes (and resets) its count of pings since the last. */
export function recordOf(driver: LiveDriver): LiveRecord {
  const record = snapshotOf(driver);
  record.pings = driver.pingsSinceFlush;
  driver.pingsSinceFlush = 0;
  return record;
}

/**
 * What the stores keep of the driver, with its times: one literal of a fixed shape (no spread),
 * since a flush makes one per ping.
 */
export function snapshotOf(driver: LiveDriver): LiveRecord {
  return {
    driverId: driver.id,
    status: driver.status,
    cabType: driver.cabType,
    lat: driver.lat,
    lng: driver.lng,
    heading: driver.heading,
    lastPingAtMs: driver.lastPingAtMs,
    lastSeenAtMs: driver.lastSeenAtMs,
    statusChangedAtMs: driver.statusChangedAtMs,
    pings: 0,
  };
}
