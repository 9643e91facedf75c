import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Ack, CabType, DriverStatus, ErrorCode, FieldError } from '@app/contracts';
import {
  checkPing,
  DEFAULT_PING_LIMITS,
  isCoordinate,
  optionalPingField,
  PING_OPTIONAL_RANGES,
} from '@app/domain';
import { Actor } from '../../common/auth/actor';
import { Clock, CLOCK } from '../../common/clock';
import { CityDuties } from '../../common/duties/city-duties';
import { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversService } from '../drivers/drivers.service';
import { LiveDriver, LiveDrivers } from './live-drivers';
import { LivePersistence } from './live-persistence';
import { LocationsMetrics, PingOutcome } from './locations.metrics';
import { PingRate } from './ping-rate';

const OK: Ack = Object.freeze({ ok: true });
/** One accepted ping in this many is timed (a histogram observation costs more than a ping). */
const PING_TIMING_SAMPLE = 64;
const refusal = (code: ErrorCode, message: string): Ack =>
  Object.freeze({ ok: false, error: Object.freeze({ code, message }) });
const NOT_ONLINE = refusal(ErrorCode.INVALID_STATE, 'go AVAILABLE (driver:status) before pinging');
const RATE_LIMITED = refusal(
  ErrorCode.RATE_LIMITED,
  `more than ${DEFAULT_PING_LIMITS.maxPingsPerSecond} pings per second`,
);
const IMPLAUSIBLE = refusal(
  ErrorCode.IMPLAUSIBLE_LOCATION,
  `the jump implies more than ${DEFAULT_PING_LIMITS.maxSpeedKmh} km/h since the last ping`,
);

/**
 * Driver presence and pings. The ping path is synchronous and allocation-light: it checks the
 * ping against the driver's history, moves the driver in the index and marks it for the next
 * batched write. Nothing per ping touches PostgreSQL or waits on Redis.
 */
@Injectable()
export class LocationsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LocationsService.name);
  private readonly movedListeners: ((driver: LiveDriver) => void)[] = [];
  private timer?: NodeJS.Timeout;
  /** Accepted pings since the last tick: counted per ping, published per tick. */
  private acceptedSinceTick = 0;
  /** Every PING_TIMING_SAMPLE-th accepted ping is timed for the ping-to-index histogram. */
  private pingsUntilTimed = PING_TIMING_SAMPLE;

  constructor(
    private readonly live: LiveDrivers,
    private readonly persistence: LivePersistence,
    private readonly metrics: LocationsMetrics,
    private readonly drivers: DriversService,
    private readonly duties: CityDuties,
    private readonly pingRate: PingRate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const restored = await this.persistence.rebuild();
    this.logger.log(`rebuilt the location index: ${restored} online drivers restored`);
    // Per process, safe with N: each process publishes the changes made on it.
    this.timer = setInterval(() => this.tick(), this.config.locations.flushIntervalMs);
    this.timer.unref();
    if (this.config.roles.worker) {
      // A scan of every online driver: at most once a second, and often enough that a driver
      // goes OFFLINE within a quarter of the timeout past it (20k drivers: ~3 ms a scan).
      const { offlineAfterMs, flushIntervalMs } = this.config.locations;
      this.duties.start({
        name: 'presence-timeouts',
        everyMs: Math.max(flushIntervalMs, Math.min(1_000, Math.floor(offlineAfterMs / 4))),
        run: async () => this.expireSilentDrivers(),
      });
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.publishPingCounts();
  }

  /** Per tick, not per ping: the counts go to the metrics and the rate, the moves to Redis. */
  private tick(): void {
    this.publishPingCounts();
    void this.persistence.flush();
  }

  private publishPingCounts(): void {
    if (this.acceptedSinceTick === 0) return;
    this.pingRate.record(this.clock.now(), this.acceptedSinceTick);
    this.metrics.accepted(this.acceptedSinceTick);
    this.acceptedSinceTick = 0;
  }

  async setStatus(
    actor: Actor,
    status: 'AVAILABLE' | 'OFFLINE',
  ): Promise<{ status: DriverStatus }> {
    const profile = await this.drivers.findLiveProfile(actor.id);
    if (!profile) throw DomainError.notFound('driver');
    if (status === DriverStatus.AVAILABLE && profile.suspended) {
      throw DomainError.forbidden('this driver is suspended and cannot go AVAILABLE');
    }
    const driver = this.live.getOrCreate(actor.id, profile.cabType);
    if (driver.status === DriverStatus.ON_TRIP) {
      throw new DomainError(
        ErrorCode.INVALID_STATE,
        'a driver on a trip changes status by ending it',
      );
    }
    this.changeStatus(driver, status);
    return { status: driver.status };
  }

  /** Available, fresh drivers of a cab type near a point, nearest first (for matching and quotes). */
  findAvailable(
    lat: number,
    lng: number,
    query: {
      k: number;
      radiusMeters: number;
      cabType: CabType;
      excludeIds?: ReadonlySet<string>;
      /** Skip drivers holding an offer (for matching; quotes count every available cab). */
      withoutOffer?: boolean;
    },
  ): { driverId: string; lat: number; lng: number; distanceMeters: number }[] {
    const now = this.clock.now();
    const found = this.live.nearestAvailable(lat, lng, {
      ...query,
      staleBeforeMs: now - this.config.locations.staleAfterMs,
      withoutOfferAtMs: query.withoutOffer ? now : undefined,
    });
    return found.map((n) => ({
      driverId: n.id,
      lat: n.lat,
      lng: n.lng,
      distanceMeters: n.distanceMeters,
    }));
  }

  /** The driver's last position and how long ago it was seen, or undefined if unknown here. */
  whereIs(
    driverId: string,
  ):
    | { lat: number; lng: number; status: DriverStatus; silentMs: number; implausiblePings: number }
    | undefined {
    const driver = this.live.get(driverId);
    if (!driver) return undefined;
    return {
      lat: driver.lat,
      lng: driver.lng,
      status: driver.status,
      silentMs: this.clock.now() - driver.lastSeenAtMs,
      implausiblePings: driver.implausibleCount,
    };
  }

  /** Dispatch offered the driver a trip until `untilMs`, or (NaN) the offer was answered. */
  markOffered(driverId: string, untilMs: number): void {
    const driver = this.live.get(driverId);
    if (driver) driver.offeredUntilMs = untilMs;
  }

  /** Dispatch assigned a trip: the driver leaves the available set at once. */
  markOnTrip(driverId: string, cabType: CabType): void {
    const driver = this.live.getOrCreate(driverId, cabType);
    if (driver.status !== DriverStatus.ON_TRIP) this.changeStatus(driver, DriverStatus.ON_TRIP);
  }

  /** The trip ended or was handed back: the driver is available again. */
  markAvailable(driverId: string): void {
    const driver = this.live.get(driverId);
    if (driver && driver.status === DriverStatus.ON_TRIP)
      this.changeStatus(driver, DriverStatus.AVAILABLE);
  }

  /** Called after every accepted ping, with the driver's live state (read it, do not keep it). */
  onDriverMoved(listener: (driver: LiveDriver) => void): void {
    this.movedListeners.push(listener);
  }

  /** Takes a driver off the map at once (suspension); a trip in progress is left to dispatch. */
  forceOffline(driverId: string): void {
    const driver = this.live.get(driverId);
    if (driver && driver.status === DriverStatus.AVAILABLE) {
      this.changeStatus(driver, DriverStatus.OFFLINE);
    }
  }

  /**
   * The driver's live state, for a gateway to keep per socket and hand to `ping` (the state of
   * an id is never replaced, so the reference stays good); undefined until it first goes online.
   */
  liveDriver(driverId: string): LiveDriver | undefined {
    return this.live.get(driverId);
  }

  /** The hot path: one ping of one driver, answered with a shared ack object. */
  ping(driver: LiveDriver | undefined, payload: unknown): Ack {
    const timed = --this.pingsUntilTimed === 0;
    const startedMs = timed ? performance.now() : 0;
    if (!driver || driver.status === DriverStatus.OFFLINE)
      return this.refuse('INVALID_STATE', NOT_ONLINE);
    if (typeof payload !== 'object' || payload === null) return this.invalid(payload);
    const { lat, lng, ts, heading, speed, accuracy } = payload as Record<string, unknown>;
    if (
      !optionalPingField(heading, 'heading') ||
      !optionalPingField(speed, 'speed') ||
      !optionalPingField(accuracy, 'accuracy')
    ) {
      return this.invalid(payload);
    }
    const now = this.clock.now();
    const verdict = checkPing(driver.history, lat as number, lng as number, ts as number, now);
    if (verdict === 'RATE_LIMITED') return this.refuse(verdict, RATE_LIMITED);
    if (verdict === 'VALIDATION') return this.invalid(payload);
    if (verdict === 'IMPLAUSIBLE_LOCATION') {
      driver.implausibleCount += 1;
      return this.refuse(verdict, IMPLAUSIBLE);
    }
    driver.lat = lat as number;
    driver.lng = lng as number;
    driver.heading = typeof heading === 'number' ? heading % 360 : NaN;
    driver.lastPingAtMs = now;
    driver.lastSeenAtMs = now;
    driver.pingsSinceFlush += 1;
    this.live.sync(driver);
    this.persistence.moved(driver);
    this.acceptedSinceTick += 1;
    if (timed) {
      this.pingsUntilTimed = PING_TIMING_SAMPLE;
      this.metrics.pingIndexed((performance.now() - startedMs) / 1000);
    }
    if (driver.status === DriverStatus.ON_TRIP) {
      for (const listener of this.movedListeners) listener(driver);
    }
    return OK;
  }

  stats(): {
    drivers: { online: number; available: number; onTrip: number };
    pings: { perSecond: number };
  } {
    const now = this.clock.now();
    const { online, available, onTrip } = this.live.counts(
      now - this.config.locations.staleAfterMs,
    );
    return {
      drivers: { online, available, onTrip },
      pings: { perSecond: this.pingRate.perSecond(now) },
    };
  }

  /**
   * A city-wide duty: an AVAILABLE driver not seen for DRIVER_OFFLINE_AFTER_MS goes OFFLINE,
   * whichever process it was connected to (one that died included). Returns how many.
   */
  expireSilentDrivers(): number {
    const offlineBefore = this.clock.now() - this.config.locations.offlineAfterMs;
    let expired = 0;
    for (const driver of this.live.online()) {
      if (driver.status === DriverStatus.AVAILABLE && !(driver.lastSeenAtMs >= offlineBefore)) {
        this.changeStatus(driver, DriverStatus.OFFLINE);
        expired += 1;
      }
    }
    return expired;
  }

  private changeStatus(driver: LiveDriver, status: DriverStatus): void {
    driver.status = status;
    driver.statusChangedAtMs = this.clock.now();
    driver.lastSeenAtMs = driver.statusChangedAtMs;
    this.live.sync(driver);
    this.persistence.statusChanged(driver);
  }

  private refuse(outcome: PingOutcome, ack: Ack): Ack {
    this.metrics.ping(outcome);
    return ack;
  }

  /** The failure path may allocate: it says which field is wrong. */
  private invalid(payload: unknown): Ack {
    this.metrics.ping('VALIDATION');
    const details = describePingProblems(payload, this.clock.now());
    return { ok: false, error: { code: ErrorCode.VALIDATION, message: 'invalid ping', details } };
  }
}

export function describePingProblems(payload: unknown, nowMs: number): FieldError[] {
  if (typeof payload !== 'object' || payload === null) {
    return [
      {
        field: '(payload)',
        messages: ['must be an object { lat, lng, ts, heading?, speed?, accuracy? }'],
      },
    ];
  }
  const p = payload as Record<string, unknown>;
  const problems: FieldError[] = [];
  if (!isCoordinate(p.lat, 0))
    problems.push({ field: 'lat', messages: ['must be a number in [-90, 90]'] });
  if (!isCoordinate(0, p.lng))
    problems.push({ field: 'lng', messages: ['must be a number in [-180, 180]'] });
  const { maxAgeMs, maxFutureSkewMs } = DEFAULT_PING_LIMITS;
  if (typeof p.ts !== 'number' || !(p.ts >= nowMs - maxAgeMs && p.ts <= nowMs + maxFutureSkewMs)) {
    problems.push({
      field: 'ts',
      messages: [
        `must be ms since the epoch, no older than ${maxAgeMs / 1000} s and no more than ${maxFutureSkewMs / 1000} s ahead`,
      ],
    });
  }
  const units = { heading: 'degrees', speed: 'm/s', accuracy: 'metres' } as const;
  for (const field of ['heading', 'speed', 'accuracy'] as const) {
    if (optionalPingField(p[field], field)) continue;
    const [min, max] = PING_OPTIONAL_RANGES[field];
    problems.push({ field, messages: [`must be ${units[field]} in [${min}, ${max}]`] });
  }
  return problems;
}
