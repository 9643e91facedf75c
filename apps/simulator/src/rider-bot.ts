import {
  FareEstimate,
  PaymentMethod,
  RiderServerEvents,
  SocketEvent,
  TripServerEvents,
  TripStatus,
  TripView,
} from '@app/contracts';
import { OPEN_STATES } from '@app/domain';
import { call, connectFailover, emitAck, HttpError, RiderClient } from './api';
import { randomPointAtDistance, randomPointWithin } from './geo';
import { Prng } from '@app/domain';
import { eventPickup, nextRequestGapS } from './scenarios';
import { FLEET_MIX, World } from './world';

type Payload<E extends keyof TripServerEvents> = Parameters<TripServerEvents[E]>[0];
type NearbyPayload = Parameters<RiderServerEvents['cabs:nearby']>[0];

export interface RiderAccount {
  id: string;
  token: string;
}

type Ending = 'cancelled by rider' | 'cancelled at shutdown';
interface CurrentTrip {
  id: string;
  status: TripStatus;
  requestedAtMs: number;
  driverId?: string;
  assigned: boolean;
  ending?: Ending;
  cancelTimer?: NodeJS.Timeout;
}

const MAX_TRIPS_PER_RIDER = 50;
/** Request failures worth one retry with the same idempotency key. */
const RETRIABLE = ['INTERNAL', 'ACK_TIMEOUT'];
const CANCEL_P = 0.05;
const ORDER: Record<TripStatus, number> = {
  REQUESTED: 0,
  DRIVER_ASSIGNED: 1,
  DRIVER_ARRIVED: 2,
  IN_PROGRESS: 3,
  COMPLETED: 4,
  CANCELLED: 4,
  NO_DRIVER_FOUND: 4,
};

const isOpen = (status: TripStatus) => OPEN_STATES.includes(status);

/**
 * One rider: watches the cabs near home once, then, at seeded intervals, asks for an estimate,
 * requests a trip, sometimes cancels it, and waits for it to end before the next one.
 */
export class RiderBot {
  private socket?: RiderClient;
  private readonly rng: Prng;
  private trip: CurrentTrip | null = null;
  /** Updates that arrived before the request's ack, by trip id. */
  private readonly early = new Map<string, TripView>();
  private readonly finished = new Set<string>();
  private wake?: () => void;

  constructor(
    readonly index: number,
    readonly account: RiderAccount,
    private readonly world: World,
  ) {
    this.rng = world.rng('rider', index);
  }

  get hasOpenTrip(): boolean {
    return this.trip !== null;
  }

  async start(): Promise<void> {
    const { urls } = this.world.options;
    let watching: Promise<void> = Promise.resolve();
    await connectFailover<RiderClient>(
      urls,
      this.index,
      '/rider',
      this.account.token,
      (s, again) => {
        watching = this.bind(s, again);
      },
    );
    await watching;
  }

  /** Handlers of one socket, and the nearby-cabs watch (again after a failover). */
  private bind(socket: RiderClient, failover: boolean): Promise<void> {
    this.socket = socket;
    const { stats } = this.world;
    if (failover) stats.warnings.add('rider moved to another server process');
    socket.on(SocketEvent.TRIP_UPDATE, ({ trip }: Payload<'trip:update'>) => this.onUpdate(trip));
    socket.on(SocketEvent.DRIVER_LOCATION, (body: Payload<'driver:location'>) => {
      stats.events.add('driver:location (riders)');
      if (body.tripId !== this.trip?.id && !this.finished.has(body.tripId)) {
        stats.warnings.add('driver:location of a trip the rider is not on');
      }
    });
    socket.on(SocketEvent.CABS_NEARBY, (body: NearbyPayload) => {
      stats.events.add('cabs:nearby (riders)');
      if (!Array.isArray(body.cabs)) stats.warnings.add('cabs:nearby without a cabs array');
    });
    socket.on('disconnect', (reason) => {
      if (this.world.phase !== 'stopped') stats.warnings.add(`rider socket ${reason}`);
    });
    const home = randomPointWithin(this.world.city.center, 2_000, () => this.rng.next());
    return emitAck(socket, SocketEvent.CABS_WATCH, home).then((ack) => {
      if (!ack.ok) stats.error(SocketEvent.CABS_WATCH, ack.error.code);
    });
  }

  /** The request loop: bounded in trips, and it ends as soon as the run stops requesting. */
  async run(): Promise<void> {
    if (this.world.scenario) return this.runScenario();
    const spreadMs = Math.min(10_000, this.world.options.durationSeconds * 300);
    if (!(await this.world.sleep(this.rng.between(0, spreadMs)))) return;
    for (let n = 0; n < MAX_TRIPS_PER_RIDER && this.world.phase === 'running'; n += 1) {
      await this.requestTrip(n);
      if (this.trip) {
        const ended = new Promise<void>((resolve) => (this.wake = resolve));
        await Promise.race([ended, this.world.sleep(this.world.options.durationSeconds * 1000)]);
        if (this.trip) return; // still open: the run is draining (or this trip is stuck)
      } else if (!(await this.world.sleep(5_000))) return;
      if (!(await this.world.sleep(this.rng.between(2_000, 12_000)))) return;
    }
  }

  /**
   * A scenario's loop: requests arrive as a Poisson process of the scenario's (time-varying)
   * rate, in simulated time; a request while a trip is open waits for it to end.
   */
  private async runScenario(): Promise<void> {
    const scenario = this.world.scenario;
    if (!scenario) return;
    const durationS = this.world.options.durationSeconds * this.world.options.timeScale;
    for (let n = 0; n < MAX_TRIPS_PER_RIDER && this.world.phase === 'running'; n += 1) {
      const gapS = nextRequestGapS(scenario, this.world.simNowS(), durationS, this.rng);
      if (gapS === null || !(await this.world.sleep(this.world.realMs(gapS)))) return;
      await this.requestTrip(n);
      if (!this.trip) continue;
      const ended = new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([ended, this.world.sleep(this.world.options.durationSeconds * 1000)]);
      if (this.trip) return;
    }
  }

  /** Shutdown phase: a trip still waiting for a driver is cancelled; others are left to finish. */
  async drain(): Promise<void> {
    if (this.trip?.status === TripStatus.REQUESTED) await this.cancel('cancelled at shutdown');
  }

  /** After the drain: checks a trip still open on the server, and cancels it. */
  async settle(): Promise<void> {
    const trip = this.trip;
    if (!trip) return;
    try {
      const { trip: view } = await call<{ trip: TripView }>(
        this.world.options.url,
        'GET',
        `/trips/${trip.id}`,
        { token: this.account.token },
      );
      this.apply(view);
    } catch (error) {
      this.world.stats.error(`GET /trips/:id`, error instanceof HttpError ? error.code : 'NETWORK');
    }
    if (!this.trip) return;
    this.world.stats.trips.add('left open');
    this.world.log(`  ! trip ${trip.id} still ${trip.status} after the drain: cancelling it`);
    await this.cancel('cancelled at shutdown');
  }

  stop(): void {
    if (this.trip?.cancelTimer) clearTimeout(this.trip.cancelTimer);
    this.wake?.();
    this.socket?.close();
  }

  private async requestTrip(n: number): Promise<void> {
    const { city, stats, options, scenario } = this.world;
    const random = () => this.rng.next();
    const atEvent =
      scenario !== undefined &&
      this.rng.chance(
        scenario.eventShare(this.world.simNowS(), options.durationSeconds * options.timeScale),
      );
    const pickup = atEvent
      ? eventPickup(city.center, this.rng)
      : randomPointWithin(city.center, city.radiusMeters, random);
    const [minMeters, maxMeters] = scenario?.tripMeters ?? [1_000, 8_000];
    const dropoff = randomPointAtDistance(pickup, minMeters, maxMeters, city, random);
    const cabType = this.rng.weighted(FLEET_MIX);
    const paymentMethod = this.rng.chance(0.7) ? PaymentMethod.CARD : PaymentMethod.CASH;
    // A scenario's rider gives up when not assigned within its patience; otherwise 5 % cancel.
    const cancelAfterMs = scenario
      ? this.world.realMs(this.rng.between(...scenario.patienceS))
      : this.rng.chance(CANCEL_P)
        ? this.rng.between(2_000, 25_000)
        : null;
    try {
      const query = `pickupLat=${pickup.lat}&pickupLng=${pickup.lng}&dropoffLat=${dropoff.lat}&dropoffLng=${dropoff.lng}`;
      const { estimates } = await call<{ estimates: FareEstimate[] }>(
        options.url,
        'GET',
        `/trips/estimate?${query}`,
        { token: this.account.token },
      );
      stats.events.add('estimates (riders, REST)');
      if (!estimates.some((e) => e.cabType === cabType))
        stats.warnings.add('estimate lacks a cab type');
    } catch (error) {
      stats.error('GET /trips/estimate', error instanceof HttpError ? error.code : 'NETWORK');
    }
    if (!this.socket || this.world.phase !== 'running') return;
    const requestedAtMs = Date.now();
    const payload = {
      pickup,
      dropoff,
      cabType,
      paymentMethod,
      idempotencyKey: `${this.world.runTag}-r${this.index}-${n}`,
    };
    let ack = await emitAck(this.socket, SocketEvent.TRIP_REQUEST, payload);
    if (!ack.ok && RETRIABLE.includes(ack.error.code)) {
      // What the idempotency key is for: the same request again returns the first trip.
      stats.error(SocketEvent.TRIP_REQUEST, `${ack.error.code} (retried with the same key)`);
      await this.world.sleep(1_000, 'stopped');
      ack = await emitAck(this.socket, SocketEvent.TRIP_REQUEST, payload);
    }
    if (!ack.ok) {
      stats.error(SocketEvent.TRIP_REQUEST, ack.error.code);
      if (ack.error.code === 'CONFLICT') await this.adoptOpenTrip(requestedAtMs);
      return;
    }
    stats.trips.add('requested');
    this.trip = { id: ack.trip.id, status: ack.trip.status, requestedAtMs, assigned: false };
    this.apply(this.early.get(ack.trip.id) ?? ack.trip);
    this.early.clear();
    if (this.trip && cancelAfterMs !== null) {
      this.trip.cancelTimer = setTimeout(() => {
        const status = this.trip?.status;
        const waiting = this.world.scenario
          ? status === TripStatus.REQUESTED
          : status === TripStatus.REQUESTED || status === TripStatus.DRIVER_ASSIGNED;
        if (waiting) {
          void this.cancel('cancelled by rider');
        }
      }, cancelAfterMs);
    }
  }

  /** CONFLICT: the server has an open trip of ours we do not know (e.g. after an error ack). */
  private async adoptOpenTrip(requestedAtMs: number): Promise<void> {
    try {
      const { trips } = await call<{ trips: TripView[] }>(
        this.world.options.url,
        'GET',
        '/trips?limit=1',
        { token: this.account.token },
      );
      const open = trips.find((t) => isOpen(t.status));
      if (!open || this.trip) return;
      this.world.stats.warnings.add('rider adopted an open trip it did not know (after CONFLICT)');
      this.trip = { id: open.id, status: open.status, requestedAtMs, assigned: false };
      this.apply(open);
    } catch (error) {
      this.world.stats.error('GET /trips', error instanceof HttpError ? error.code : 'NETWORK');
    }
  }

  private async cancel(ending: Ending): Promise<void> {
    const trip = this.trip;
    if (!trip || !this.socket) return;
    trip.ending = ending;
    const ack = await emitAck(this.socket, SocketEvent.TRIP_CANCEL, {
      tripId: trip.id,
      reason: ending,
    });
    if (ack.ok) this.apply(ack.trip);
    else {
      if (this.trip === trip) trip.ending = undefined;
      this.world.stats.error(SocketEvent.TRIP_CANCEL, ack.error.code);
    }
  }

  private onUpdate(view: TripView): void {
    const { stats } = this.world;
    stats.events.add('trip:update (riders)');
    if (view.riderId !== this.account.id) {
      stats.violation(
        `rider ${this.account.id} got trip:update of ${view.id} (rider ${view.riderId})`,
      );
    } else if (this.finished.has(view.id)) {
      if (isOpen(view.status)) stats.warnings.add('trip:update of an ended trip, open again');
    } else if (this.trip?.id === view.id) this.apply(view);
    else if (this.early.size < 10) this.early.set(view.id, view);
  }

  /** Applies a newer state of the current trip (from an update, an ack or a GET). */
  private apply(view: TripView): void {
    const trip = this.trip;
    if (!trip || trip.id !== view.id) return;
    const { stats } = this.world;
    if (view.driverId) {
      if (trip.driverId && trip.driverId !== view.driverId) {
        stats.violation(`trip ${trip.id} went from driver ${trip.driverId} to ${view.driverId}`);
      }
      trip.driverId = view.driverId;
      this.world.seeDriverOnTrip(view.id, view.driverId, 'rider trip:update');
    }
    if (view.pickupCode) this.world.pickupCodes.set(view.id, view.pickupCode);
    if (ORDER[view.status] < ORDER[trip.status]) {
      stats.warnings.add(`rider saw ${trip.status} then ${view.status}`);
      return;
    }
    trip.status = view.status;
    if (!trip.assigned && view.driverId && view.status !== TripStatus.CANCELLED) {
      trip.assigned = true;
      stats.trips.add('assigned');
      stats.assignMs.push(Date.now() - trip.requestedAtMs);
    }
    if (isOpen(view.status)) return;
    if (view.status === TripStatus.COMPLETED) stats.trips.add('completed');
    else if (view.status === TripStatus.NO_DRIVER_FOUND) stats.trips.add('no driver');
    else stats.trips.add(trip.ending ?? 'cancelled other');
    clearTimeout(trip.cancelTimer);
    this.world.pickupCodes.delete(trip.id);
    this.finished.add(trip.id);
    this.trip = null;
    this.wake?.();
  }
}
