import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, Role, TripStatus, TripView } from '@app/contracts';
import { cancellationFeeMinor, newPickupCode, TripAction } from '@app/domain';
import { Actor } from '../../common/auth/actor';
import { Clock, CLOCK } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { EventBus, TRIP_CHANGED } from '../../common/events';
import { decodeCursor, page } from '../../common/http/cursor';
import { UnitOfWork } from '../../common/transactions/unit-of-work';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsService } from '../locations/locations.service';
import { DispatchQueue } from '../matching/dispatch-queue';
import { PaymentsService } from '../payments/payments.service';
import { PricingService } from '../pricing/pricing.service';
import { TripTracker } from './trip-tracker';
import { TripRecord, toTripView } from './trip.model';
import { ListTripsQueryDto, RequestTripDto } from './trips.dto';
import {
  TransitionRequest,
  TransitionResult,
  TripsRepository,
  UNASSIGNED,
} from './trips.repository';

const TERMINAL: readonly TripStatus[] = [
  TripStatus.COMPLETED,
  TripStatus.CANCELLED,
  TripStatus.NO_DRIVER_FOUND,
];

/**
 * The trip lifecycle as use cases, one per step, each taking the actor first. REST and
 * socket.io both call these; the ownership check is part of each step.
 */
@Injectable()
export class TripsService {
  private readonly logger = new Logger(TripsService.name);

  constructor(
    private readonly trips: TripsRepository,
    private readonly pricing: PricingService,
    private readonly payments: PaymentsService,
    private readonly locations: LocationsService,
    private readonly tracker: TripTracker,
    private readonly dispatch: DispatchQueue,
    private readonly events: EventBus,
    private readonly unitOfWork: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async request(
    actor: Actor,
    input: RequestTripDto,
    idempotencyKey?: string,
  ): Promise<{ trip: TripView }> {
    if (idempotencyKey) {
      const earlier = await this.trips.findByIdempotencyKey(actor.id, idempotencyKey);
      if (earlier) return { trip: this.view(await this.resumed(earlier), actor) };
    }
    const quote = await this.pricing.quoteForRequest(actor, input);
    // The trip and its payment (with the card's authorization request) commit together.
    const created = await this.unitOfWork.run(async () => {
      const result = await this.trips.create({
        riderId: actor.id,
        cabType: input.cabType,
        pickup: { lat: input.pickup.lat, lng: input.pickup.lng },
        dropoff: { lat: input.dropoff.lat, lng: input.dropoff.lng },
        paymentMethod: input.paymentMethod,
        quoteFareMinor: quote.fareMinor,
        surgeMultiplier: quote.surgeMultiplier,
        currency: quote.currency,
        quoteId: quote.id,
        quoteDistanceMeters: quote.distanceMeters,
        idempotencyKey,
      });
      if (result.kind === 'created') {
        await this.payments.openForTrip(result.trip, input.paymentMethodToken ?? null);
        // The first matching step commits with the trip (the outbox), whatever Redis is doing.
        await this.dispatch.match(result.trip.id, 'request');
        // Read back with its payment, as committed.
        return { ...result, trip: (await this.trips.findById(result.trip.id)) as TripRecord };
      }
      return result;
    });
    if (created.kind === 'quote_used') {
      throw DomainError.conflict(`quote ${quote.id} was already used for a trip`);
    }
    if (created.kind === 'rider_has_open_trip') {
      // The same key sent twice at once: the loser of the race answers with the winner's trip.
      const earlier =
        idempotencyKey && (await this.trips.findByIdempotencyKey(actor.id, idempotencyKey));
      if (earlier) return { trip: this.view(earlier, actor) };
      throw DomainError.conflict('this rider already has an open trip');
    }
    this.events.emit(TRIP_CHANGED, { trip: created.trip, from: null, action: 'REQUEST' });
    return { trip: this.view(created.trip, actor) };
  }

  /**
   * A replayed request answers with the trip the first attempt stored. Its matching step
   * committed with it (the outbox), so there is nothing to restart; enqueueing it again is a
   * no-op kept for trips stored before the outbox (same job id).
   */
  private async resumed(trip: TripRecord): Promise<TripRecord> {
    if (trip.status !== TripStatus.REQUESTED) return trip;
    await this.dispatch.match(trip.id, 'request').catch((error: unknown) => {
      this.logger.warn({ err: error, tripId: trip.id }, 'matching not enqueued; the sweeper will');
    });
    return trip;
  }

  async get(actor: Actor, tripId: string): Promise<{ trip: TripView }> {
    return { trip: this.view(await this.ownTrip(actor, tripId), actor) };
  }

  async list(actor: Actor, query: ListTripsQueryDto) {
    const limit = query.limit ?? 20;
    const rows = await this.trips.list({
      ...(actor.role === Role.DRIVER ? { driverId: actor.id } : { riderId: actor.id }),
      status: query.status,
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const { items, nextCursor } = page(rows, limit);
    return { trips: items.map((t) => this.view(t, actor)), nextCursor };
  }

  /** The caller's open trip, for a reconnecting client. */
  async openTripOf(actor: Actor): Promise<TripView | null> {
    if (actor.role === Role.ADMIN) return null;
    const trip = await this.trips.findOpenFor(actor.role, actor.id);
    return trip && this.view(trip, actor);
  }

  /**
   * A rider cancels at any point before completion (paying the cancellation fee when the driver
   * waited past the grace period); a driver before the start (back to matching).
   */
  async cancel(actor: Actor, tripId: string, reason?: string): Promise<{ trip: TripView }> {
    if (actor.role === Role.DRIVER) {
      const result = await this.handBack(tripId, actor.id, 'driver', reason ?? null);
      return { trip: this.view(this.applied(result, 'DRIVER_CANCEL'), actor) };
    }
    // The fee depends on the state: the transition applies only if the trip is still in the
    // state the fee was computed from, and is recomputed if a step came in between.
    for (let attempt = 0; ; attempt++) {
      const current = await this.ownTrip(actor, tripId);
      const nowMs = this.clock.now();
      const fee = cancellationFeeMinor(
        { status: current.status, arrivedAtMs: current.arrivedAt?.getTime() ?? null },
        nowMs,
        this.config.fares.cancellation,
      );
      const result = await this.applyTransition({
        tripId,
        action: 'RIDER_CANCEL',
        actor: { role: 'rider', id: actor.id },
        riderId: actor.id,
        fromStatus: current.status,
        patch: {
          endedAt: new Date(nowMs),
          cancelReason: reason ?? null,
          cancelledBy: 'rider',
          cancellationFeeMinor: fee > 0 ? fee : null,
        },
      });
      const raced = result.kind === 'invalid' && result.status !== current.status;
      if (!raced || attempt >= 2)
        return { trip: this.view(this.applied(result, 'RIDER_CANCEL'), actor) };
    }
  }

  async arrive(actor: Actor, tripId: string): Promise<{ trip: TripView }> {
    const now = new Date(this.clock.now());
    const trip = await this.apply({
      tripId,
      action: 'ARRIVE',
      actor: this.driverActor(actor),
      driverId: actor.id,
      patch: { arrivedAt: now },
    });
    return { trip: this.view(trip, actor) };
  }

  async start(actor: Actor, tripId: string, pickupCode: string): Promise<{ trip: TripView }> {
    const current = await this.ownTrip(actor, tripId);
    if (current.status === TripStatus.DRIVER_ARRIVED && current.pickupCode !== pickupCode) {
      throw new DomainError(
        ErrorCode.INVALID_PICKUP_CODE,
        'the pickup code does not match: ask the rider',
      );
    }
    const now = new Date(this.clock.now());
    const trip = await this.apply({
      tripId,
      action: 'START',
      actor: this.driverActor(actor),
      driverId: actor.id,
      patch: { startedAt: now },
    });
    return { trip: this.view(trip, actor) };
  }

  async complete(actor: Actor, tripId: string): Promise<{ trip: TripView }> {
    const current = await this.ownTrip(actor, tripId);
    const nowMs = this.clock.now();
    const durationSeconds = current.startedAt
      ? Math.max(0, Math.round((nowMs - current.startedAt.getTime()) / 1000))
      : 0;
    // Persisted by every process that followed the trip's pings (this one's last part too);
    // without a single measured ping, the quoted route's distance.
    await this.tracker.flush(tripId);
    const measured = (await this.trips.findById(tripId))?.drivenMeters ?? null;
    const distanceMeters =
      measured ??
      current.quoteDistanceMeters ??
      this.pricing.route(current.pickup, current.dropoff).distanceMeters;
    const fareMinor = this.pricing.finalFare(current, distanceMeters, durationSeconds);
    const trip = await this.apply({
      tripId,
      action: 'COMPLETE',
      actor: this.driverActor(actor),
      driverId: actor.id,
      patch: { endedAt: new Date(nowMs), fareMinor, distanceMeters, durationSeconds },
    });
    return { trip: this.view(trip, actor) };
  }

  /**
   * Dispatch's claim: the driver takes the trip, with a fresh pickup code. Joins the caller's
   * unit of work (the offer is claimed in the same transaction); the effects wait for its commit.
   */
  assignDriver(tripId: string, driverId: string, offerId: string): Promise<TransitionResult> {
    return this.applyTransition({
      tripId,
      action: 'ACCEPT',
      actor: { role: 'driver', id: driverId },
      patch: {
        driverId,
        pickupCode: newPickupCode(),
        assignedAt: new Date(this.clock.now()),
      },
      data: { offerId },
    });
  }

  /**
   * The driver gives an assigned trip back before the start (its own cancel, or the sweeper
   * for a driver gone offline): the trip is requested again and matching resumes.
   */
  async handBack(
    tripId: string,
    driverId: string,
    by: 'driver' | 'system',
    reason: string | null,
  ): Promise<TransitionResult> {
    const result = await this.applyTransition({
      tripId,
      action: 'DRIVER_CANCEL',
      actor: { role: by, id: by === 'driver' ? driverId : null },
      driverId,
      patch: UNASSIGNED,
      data: by === 'driver' ? { reason } : { reason, driverId },
    });
    if (result.kind === 'ok') {
      this.locations.markAvailable(driverId);
      await this.dispatch.match(
        tripId,
        by === 'driver' ? `after-cancel-by-${driverId}` : `after-lost-${driverId}`,
      );
    }
    return result;
  }

  /** Matching found nobody in time. */
  noDriverFound(tripId: string, reason: string): Promise<TransitionResult> {
    return this.applyTransition({
      tripId,
      action: 'NO_DRIVER',
      actor: { role: 'system', id: null },
      patch: { endedAt: new Date(this.clock.now()) },
      data: { reason },
    });
  }

  /** The sweeper ends a trip whose driver vanished mid-ride, for an operator to settle. */
  abandon(tripId: string): Promise<TransitionResult> {
    return this.applyTransition({
      tripId,
      action: 'SYSTEM_CANCEL',
      actor: { role: 'system', id: null },
      patch: {
        endedAt: new Date(this.clock.now()),
        cancelReason: 'driver lost',
        cancelledBy: 'system',
      },
      data: { reason: 'driver lost during the trip' },
    });
  }

  /** Whether the driver holds a trip now (joins the caller's unit of work). */
  driverIsAssigned(driverId: string): Promise<boolean> {
    return this.trips.driverIsAssigned(driverId);
  }

  findById(tripId: string): Promise<TripRecord | null> {
    return this.trips.findById(tripId);
  }

  /** Trips in these states unchanged since `before`, for the sweeper. */
  findStale(statuses: readonly TripStatus[], before: Date): Promise<TripRecord[]> {
    return this.trips.findStale(statuses, before);
  }

  view(trip: TripRecord, actor: Actor): TripView {
    const audience =
      actor.role === Role.DRIVER ? 'driver' : actor.role === Role.ADMIN ? 'admin' : 'rider';
    const at = trip.driverId ? this.locations.whereIs(trip.driverId) : undefined;
    const live = trip.status !== TripStatus.COMPLETED && at && !Number.isNaN(at.lat);
    return toTripView(trip, audience, {
      ...(live
        ? { driverLocation: { lat: at.lat, lng: at.lng }, etaSeconds: this.tracker.etaFor(trip) }
        : {}),
    });
  }

  /** A user's step: a transition whose refusal is the user's error. */
  private async apply(request: TransitionRequest): Promise<TripRecord> {
    return this.applied(await this.applyTransition(request), request.action);
  }

  private applied(result: TransitionResult, action: TripAction): TripRecord {
    if (result.kind === 'not_found') throw DomainError.notFound('trip');
    if (result.kind === 'invalid') {
      throw new DomainError(
        ErrorCode.INVALID_STATE,
        `${action.toLowerCase().replace('_', ' ')} is not possible for a trip that is ${result.status}`,
      );
    }
    return result.trip;
  }

  /** A transition, and its effects once it has committed (in the caller's unit of work, if any). */
  private async applyTransition(request: TransitionRequest): Promise<TransitionResult> {
    return this.unitOfWork.run(async () => {
      const result = await this.trips.transition(request);
      if (result.kind !== 'ok') return result;
      // A trip that ends settles its payment in the same transaction: capture, fee or release.
      if (TERMINAL.includes(result.trip.status)) {
        await this.payments.settleTrip(result.trip);
        const settled = {
          ...result,
          trip: (await this.trips.findById(request.tripId)) as TripRecord,
        };
        this.unitOfWork.afterCommit(() =>
          this.afterTransition(settled.trip, settled.from, request.action),
        );
        return settled;
      }
      this.unitOfWork.afterCommit(() =>
        this.afterTransition(result.trip, result.from, request.action),
      );
      return result;
    });
  }

  /** Effects of a committed change: the driver's live status, then everyone who listens. */
  private afterTransition(trip: TripRecord, from: TripStatus, action: TripAction): void {
    const endedWithDriver =
      trip.driverId &&
      (trip.status === TripStatus.COMPLETED || trip.status === TripStatus.CANCELLED);
    if (endedWithDriver) this.locations.markAvailable(trip.driverId as string);
    this.events.emit(TRIP_CHANGED, { trip, from, action });
  }

  private async ownTrip(actor: Actor, tripId: string): Promise<TripRecord> {
    const trip = await this.trips.findById(tripId);
    const mine =
      trip &&
      (actor.role === Role.ADMIN ||
        (actor.role === Role.RIDER && trip.riderId === actor.id) ||
        (actor.role === Role.DRIVER && trip.driverId === actor.id));
    if (!trip || !mine) throw DomainError.notFound('trip');
    return trip;
  }

  private driverActor(actor: Actor): { role: 'driver'; id: string } {
    if (actor.role !== Role.DRIVER)
      throw DomainError.forbidden('only the trip driver takes this step');
    return { role: 'driver', id: actor.id };
  }
}
