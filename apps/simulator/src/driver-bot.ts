import {
  AckData,
  CabType,
  DriverClientEvents,
  LatLng,
  LocationPing,
  SocketEvent,
  TripServerEvents,
  TripStatus,
  TripView,
} from '@app/contracts';
import { OPEN_STATES } from '@app/domain';
import { call, connectFailover, DriverClient, emitAck, PayloadOf, SimAck } from './api';
import { haversineMeters, moveToward, randomPointWithin } from './geo';
import { OfferDesk, OfferHost } from './driver-offers';
import { Prng } from '@app/domain';
import { driverState, DriverShift } from './driver-shift';
import { World } from './world';

type Payload<E extends keyof TripServerEvents> = Parameters<TripServerEvents[E]>[0];

export interface DriverAccount {
  id: string;
  token: string;
  cabType: CabType;
}

type Leg = 'toPickup' | 'waiting' | 'toDropoff' | 'ending';
interface CurrentTrip {
  id: string;
  pickup: LatLng;
  dropoff: LatLng;
  leg: Leg;
  legSinceMs: number;
  codeMissingReported?: boolean;
}

const PING_EVERY_MS = 3_000;
const PING_JITTER_MS = 400;
const CODE_WAIT_MS = 20_000;
const LEG_FOR: Partial<Record<TripStatus, Leg>> = {
  DRIVER_ASSIGNED: 'toPickup',
  DRIVER_ARRIVED: 'waiting',
  IN_PROGRESS: 'toDropoff',
};

/**
 * One driver: goes AVAILABLE, cruises between random waypoints pinging every ~3 s, answers
 * offers after a short think, drives to the pickup, waits for the code, drives to the dropoff.
 */
export class DriverBot implements OfferHost {
  private socket?: DriverClient;
  private readonly rng: Prng;
  private position: LatLng;
  private waypoint: LatLng;
  private heading = 0;
  private lastMoveMs = Date.now();
  private timer?: NodeJS.Timeout;
  private trip: CurrentTrip | null = null;
  private readonly offers: OfferDesk;
  private busy = false;
  private fastForward = false;
  private lastStatusRetryMs = 0;
  private readonly shift: DriverShift;
  online = false;

  constructor(
    readonly index: number,
    readonly account: DriverAccount,
    private readonly world: World,
  ) {
    this.rng = world.rng('driver', index);
    this.offers = new OfferDesk(this, world.rng('offers', index), world);
    this.shift = new DriverShift(world, world.rng('shift', index));
    this.position = this.randomCityPoint();
    this.waypoint = this.randomCityPoint();
  }

  get onTrip(): boolean {
    return this.trip !== null;
  }

  /** Connects, goes AVAILABLE, sends the first ping and starts the drive loop. */
  async start(): Promise<void> {
    const { urls } = this.world.options;
    await connectFailover<DriverClient>(
      urls,
      this.index,
      '/driver',
      this.account.token,
      (s, again) => this.bind(s, again),
    );
    await this.goAvailable();
    this.lastMoveMs = Date.now(); // the drive starts here, not when the bot was created
    this.shift.begin();
    this.ping();
    this.schedule();
  }

  /** Handlers of one socket; after a failover to another process the drive simply goes on. */
  private bind(socket: DriverClient, failover: boolean): void {
    this.socket = socket;
    if (failover) this.world.stats.warnings.add('driver moved to another server process');
    socket.on(SocketEvent.TRIP_OFFER, (offer: Payload<'trip:offer'>) =>
      this.offers.received(offer),
    );
    socket.on(SocketEvent.TRIP_OFFER_REVOKED, (body: Payload<'trip:offer:revoked'>) =>
      this.offers.revoked(body.tripId, body.reason),
    );
    socket.on(SocketEvent.TRIP_UPDATE, ({ trip }: Payload<'trip:update'>) => this.onUpdate(trip));
    socket.on('disconnect', (reason) => {
      if (this.world.phase !== 'stopped') this.world.stats.warnings.add(`driver socket ${reason}`);
    });
  }

  /** Shutdown phase: deny the open offer, end the current trip at once (no more driving). */
  async finish(deadlineMs: number): Promise<void> {
    this.fastForward = true;
    const open = this.offers.openTripId;
    if (open) await this.answer(open, 'deny');
    for (let i = 0; i < 200 && this.trip && Date.now() < deadlineMs; i += 1) {
      await this.advance();
      if (this.trip) await this.world.sleep(250, 'stopped');
    }
  }

  /** Goes OFFLINE (so a later run does not see this driver) and disconnects. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.offers.close();
    if (this.socket?.connected && !this.trip) {
      await emitAck(this.socket, SocketEvent.DRIVER_STATUS, { status: 'OFFLINE' }, 3_000);
    }
    this.online = false;
    this.socket?.close();
  }

  private async goAvailable(): Promise<void> {
    this.lastMoveMs = Date.now(); // back from a break: no drive is owed for it
    const ack = await this.emit(SocketEvent.DRIVER_STATUS, { status: 'AVAILABLE' });
    this.online = ack.ok;
    if (!ack.ok) this.world.stats.error(SocketEvent.DRIVER_STATUS, ack.error.code);
  }

  private schedule(): void {
    if (this.world.phase === 'stopped') return;
    const wait = PING_EVERY_MS + this.rng.between(-PING_JITTER_MS, PING_JITTER_MS);
    this.timer = setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.schedule();
    this.shift.tally(driverState(this.online, this.trip?.leg));
    if (this.onBreak()) return;
    this.move();
    this.ping();
    void this.advance();
  }

  /** A scenario's breaks; true while on one (no driving, no pings). */
  private onBreak(): boolean {
    const next = this.shift.next(!this.trip && !this.offers.openTripId && this.online);
    if (next === 'start') this.online = false;
    if (next === 'start') void this.emit(SocketEvent.DRIVER_STATUS, { status: 'OFFLINE' });
    if (next === 'end') void this.goAvailable();
    return next !== 'work';
  }

  private target(): LatLng | null {
    if (!this.trip) return this.waypoint;
    if (this.trip.leg === 'toPickup') return this.trip.pickup;
    if (this.trip.leg === 'toDropoff') return this.trip.dropoff;
    return null;
  }

  /** Drives toward the current target for the time since the last move (never past it). */
  private move(): void {
    const now = Date.now();
    const seconds = Math.min(10, (now - this.lastMoveMs) / 1000);
    this.lastMoveMs = now;
    const target = this.target();
    if (!target) return;
    const step = moveToward(this.position, target, this.speedMps() * seconds, this.heading);
    this.position = step.position;
    this.heading = step.heading;
  }

  private speedMps(): number {
    return (this.world.options.speedKmh * this.world.options.timeScale) / 3.6; // time-lapsed
  }

  private atTarget(): boolean {
    const target = this.target();
    return this.fastForward || (target !== null && haversineMeters(this.position, target) < 1);
  }

  private ping(): void {
    const socket = this.socket;
    if (!socket?.connected || !this.online || this.world.phase === 'stopped') return;
    const moving = this.target() !== null;
    const ping: LocationPing = {
      lat: this.position.lat,
      lng: this.position.lng,
      heading: Math.round(this.heading * 10) / 10,
      speed: moving ? Math.round(this.speedMps() * 10) / 10 : 0,
      ts: Date.now(),
    };
    const { stats } = this.world;
    stats.pings.sent += 1;
    void emitAck(socket, SocketEvent.DRIVER_LOCATION, ping).then((ack) => {
      if (ack.ok) stats.pings.ok += 1;
      else if (ack.error.code === 'ACK_TIMEOUT' || ack.error.code === 'DISCONNECTED') {
        stats.error(SocketEvent.DRIVER_LOCATION, ack.error.code);
      } else {
        stats.pings.refused.add(ack.error.code);
        // Set OFFLINE by the server (e.g. after a silence): come back, at most every 10 s.
        const now = Date.now();
        if (ack.error.code === 'INVALID_STATE' && now - this.lastStatusRetryMs > 10_000) {
          this.lastStatusRetryMs = now;
          if (!this.trip && this.world.phase === 'running') void this.goAvailable();
        }
      }
    });
  }

  /** The next trip step, if the car is where it has to be; one step at a time. */
  private async advance(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const trip = this.trip;
      if (!trip) {
        if (this.atTarget() && !this.fastForward) this.waypoint = this.randomCityPoint();
      } else if (trip.leg === 'toPickup' && this.atTarget()) {
        await this.step(trip, SocketEvent.TRIP_ARRIVE, { tripId: trip.id }, 'waiting');
      } else if (trip.leg === 'waiting') {
        await this.startTrip(trip);
      } else if (trip.leg === 'toDropoff' && this.atTarget()) {
        trip.leg = 'ending';
        await this.step(trip, SocketEvent.TRIP_COMPLETE, { tripId: trip.id }, null);
      }
    } finally {
      this.busy = false;
    }
  }

  private async startTrip(trip: CurrentTrip): Promise<void> {
    const pickupCode = this.world.pickupCodes.get(trip.id);
    if (!pickupCode) {
      if (Date.now() - trip.legSinceMs > CODE_WAIT_MS && !trip.codeMissingReported) {
        trip.codeMissingReported = true;
        this.world.stats.error(SocketEvent.TRIP_START, 'NO_PICKUP_CODE_SEEN_BY_RIDER');
      }
      return;
    }
    await this.step(trip, SocketEvent.TRIP_START, { tripId: trip.id, pickupCode }, 'toDropoff');
  }

  /** One trip step; on success moves to `next` (null: the trip is over), else resyncs. */
  private async step<E extends 'trip:arrive' | 'trip:start' | 'trip:complete'>(
    trip: CurrentTrip,
    event: E,
    payload: PayloadOf<DriverClientEvents[E]>,
    next: Leg | null,
  ): Promise<void> {
    const ack = await this.emit(event, payload);
    if (ack.ok) {
      if (ack.trip.driverId !== this.account.id) {
        this.world.stats.violation(
          `${event} ack for trip ${trip.id} names driver ${ack.trip.driverId}`,
        );
      }
      if (next === null) {
        // Its trip:update COMPLETED usually comes first and has already ended the trip here.
        this.world.stats.events.add('trip:complete acked (drivers)');
        if (this.trip === trip) this.trip = null;
        this.waypoint = this.randomCityPoint();
      } else if (this.trip === trip) {
        trip.leg = next;
        trip.legSinceMs = Date.now();
      }
      return;
    }
    if (this.trip !== trip) return; // ended meanwhile (e.g. the rider cancelled)
    this.world.stats.error(event, ack.error.code);
    if (ack.error.code === 'INVALID_PICKUP_CODE') {
      this.world.stats.violation(`trip ${trip.id}: the pickup code the rider was shown is refused`);
    }
    await this.resync(trip);
  }

  /** After a refused step: read the trip back and follow what the server says. */
  private async resync(trip: CurrentTrip): Promise<void> {
    try {
      const { trip: view } = await call<{ trip: TripView }>(
        this.world.options.url,
        'GET',
        `/trips/${trip.id}`,
        { token: this.account.token },
      );
      if (this.trip !== trip) return;
      const leg = view.driverId === this.account.id ? LEG_FOR[view.status] : undefined;
      if (leg) trip.leg = leg;
      else this.trip = null;
    } catch {
      if (this.trip === trip) this.trip = null; // not ours any more (404) or unreachable
    }
  }

  private onUpdate(view: TripView): void {
    const { stats } = this.world;
    stats.events.add('trip:update (drivers)');
    if (view.driverId !== undefined && view.driverId !== this.account.id) {
      stats.violation(
        `driver ${this.account.id} got trip:update of ${view.id} (driver ${view.driverId})`,
      );
      return;
    }
    if (this.trip?.id === view.id) {
      const leg = LEG_FOR[view.status];
      if (!OPEN_STATES.includes(view.status)) this.trip = null;
      else if (leg === 'toDropoff' && this.trip.leg === 'waiting') this.trip.leg = leg;
      return;
    }
    const leg = LEG_FOR[view.status];
    if (leg && view.driverId === this.account.id) {
      if (this.trip) {
        stats.violation(`driver ${this.account.id} is on ${this.trip.id} and on ${view.id}`);
        return;
      }
      // The update of an accept can arrive before its ack: take the trip from here.
      this.adopt(view, leg);
    }
  }

  private adopt(view: TripView, leg: Leg): void {
    this.world.seeDriverOnTrip(view.id, this.account.id, 'driver trip:update');
    this.offers.close(view.id);
    this.trip = {
      id: view.id,
      pickup: view.pickup,
      dropoff: view.dropoff,
      leg,
      legSinceMs: Date.now(),
    };
  }

  get driverId(): string {
    return this.account.id;
  }

  busyWith(): string | null {
    return this.trip && this.trip.leg !== 'ending' ? this.trip.id : null;
  }

  async answer(tripId: string, wanted: 'accept' | 'deny'): Promise<void> {
    this.offers.close(tripId);
    const { stats } = this.world;
    const decision =
      wanted === 'accept' && (this.trip || this.world.phase !== 'running') ? 'deny' : wanted;
    if (decision === 'deny') {
      const ack = await this.emit(SocketEvent.TRIP_DENY, { tripId });
      if (ack.ok) stats.offers.add('denied');
      else stats.error(SocketEvent.TRIP_DENY, ack.error.code);
      return;
    }
    const ack = await this.emit(SocketEvent.TRIP_ACCEPT, { tripId });
    if (!ack.ok) {
      stats.offers.add('accept refused');
      stats.error(SocketEvent.TRIP_ACCEPT, ack.error.code);
      return;
    }
    stats.offers.add('accepted');
    if (ack.trip.driverId !== this.account.id) {
      stats.violation(`trip:accept ack of ${tripId} names driver ${ack.trip.driverId}`);
    }
    if (this.trip?.id === tripId) return; // its trip:update came first
    if (this.trip) {
      stats.violation(`driver ${this.account.id} accepted ${tripId} while on ${this.trip.id}`);
      return;
    }
    this.adopt(ack.trip, LEG_FOR[ack.trip.status] ?? 'toPickup');
  }

  private emit<E extends keyof DriverClientEvents>(
    event: E,
    payload: PayloadOf<DriverClientEvents[E]>,
  ): Promise<SimAck<AckData<DriverClientEvents[E]> & object>> {
    if (!this.socket) {
      return Promise.resolve({ ok: false, error: { code: 'DISCONNECTED', message: event } });
    }
    return emitAck(this.socket, event, payload);
  }

  private randomCityPoint(): LatLng {
    return randomPointWithin(this.world.city.center, this.world.city.radiusMeters, () =>
      this.rng.next(),
    );
  }
}
