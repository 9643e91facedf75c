import { InjectTransactionHost, Propagation } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { CabType, LatLng, PaymentMethod, TripStatus } from '@app/contracts';
import { ASSIGNED_STATES, nextState, OPEN_STATES, TripAction, TripActorRole } from '@app/domain';
import type { Db } from '../../common/transactions/unit-of-work';
import { isUniqueViolation } from '../../database/pg-errors';
import { TripRecord } from './trip.model';
import {
  TRIP_COLUMNS,
  TRIP_FROM,
  TripListFilter,
  tripListQuery,
  toTripRecord,
  TripRow,
} from './trip.sql';

export interface NewTrip {
  riderId: string;
  cabType: CabType;
  pickup: LatLng;
  dropoff: LatLng;
  paymentMethod: PaymentMethod;
  quoteFareMinor: number;
  surgeMultiplier: number;
  currency: string;
  /** The quote the trip keeps (absent only for trips made outside a request, as in tests). */
  quoteId?: string;
  quoteDistanceMeters?: number;
  idempotencyKey?: string;
}

/**
 * Columns a transition may set besides the status. Setting `driverId` also sets the trip's
 * vehicle to that driver's (null with it): a trip's vehicle is always its driver's.
 */
export interface TripPatch {
  driverId?: string | null;
  pickupCode?: string | null;
  assignedAt?: Date | null;
  arrivedAt?: Date | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  fareMinor?: number;
  distanceMeters?: number;
  durationSeconds?: number;
  cancelReason?: string | null;
  cancelledBy?: TripActorRole;
  cancellationFeeMinor?: number | null;
}

const PATCH_COLUMNS: Record<keyof TripPatch, string> = {
  driverId: 'driver_id',
  pickupCode: 'pickup_code',
  assignedAt: 'assigned_at',
  arrivedAt: 'arrived_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  fareMinor: 'fare_minor',
  distanceMeters: 'distance_meters',
  durationSeconds: 'duration_seconds',
  cancelReason: 'cancel_reason',
  cancelledBy: 'cancelled_by',
  cancellationFeeMinor: 'cancellation_fee_minor',
};

export type TransitionResult =
  | { kind: 'ok'; trip: TripRecord; from: TripStatus }
  | { kind: 'not_found' }
  | { kind: 'invalid'; status: TripStatus };

export interface TransitionRequest {
  tripId: string;
  action: TripAction;
  actor: { role: TripActorRole; id: string | null };
  /** The trip must belong to this rider / be assigned to this driver, else `not_found`. */
  riderId?: string;
  driverId?: string;
  /** The trip must still be in this state (the caller computed the patch from it), else `invalid`. */
  fromStatus?: TripStatus;
  patch?: TripPatch;
  data?: Record<string, unknown>;
}

/** What a trip loses when its driver hands it back (a cancel before the start, a lost driver). */
export const UNASSIGNED: TripPatch = Object.freeze({
  driverId: null,
  pickupCode: null,
  assignedAt: null,
  arrivedAt: null,
});

export type CreateResult =
  { kind: 'created'; trip: TripRecord } | { kind: 'rider_has_open_trip' } | { kind: 'quote_used' };

/** Trips and their events. Every method joins the caller's unit of work when there is one. */
@Injectable()
export class TripsRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  /**
   * Stores a REQUESTED trip and its first event in one transaction; inside a caller's unit of
   * work, under a savepoint, so that a rider's second open trip leaves the caller's transaction
   * usable.
   */
  async create(input: NewTrip): Promise<CreateResult> {
    try {
      const trip = await this.db.withTransaction(Propagation.Nested, async () => {
        const tx = this.db.tx;
        const [{ id }]: { id: string }[] = await tx.query(
          `INSERT INTO trips (rider_id, cab_type, status, pickup, dropoff, payment_method,
                              quote_fare_minor, surge_multiplier, currency, idempotency_key,
                              quote_id, quote_distance_meters)
           VALUES ($1, $2, 'REQUESTED', ${point(3)}, ${point(5)}, $7, $8, $9, $10, $11, $12, $13)
           RETURNING id`,
          [
            input.riderId,
            input.cabType,
            input.pickup.lat,
            input.pickup.lng,
            input.dropoff.lat,
            input.dropoff.lng,
            input.paymentMethod,
            input.quoteFareMinor,
            input.surgeMultiplier,
            input.currency,
            input.idempotencyKey ?? null,
            input.quoteId ?? null,
            input.quoteDistanceMeters ?? null,
          ],
        );
        await this.insertEvent(id, null, 'REQUESTED', { role: 'rider', id: input.riderId }, {});
        // Read back inside the transaction: the trip is returned exactly as committed.
        return (await this.findById(id)) as TripRecord;
      });
      return { kind: 'created', trip };
    } catch (error) {
      if (isUniqueViolation(error, 'trips_one_open_per_rider'))
        return { kind: 'rider_has_open_trip' };
      if (isUniqueViolation(error, 'trips_quote_once')) return { kind: 'quote_used' };
      throw error;
    }
  }

  async findById(id: string): Promise<TripRecord | null> {
    const rows: TripRow[] = await this.db.tx.query(
      `SELECT ${TRIP_COLUMNS} ${TRIP_FROM} WHERE t.id = $1`,
      [id],
    );
    return rows[0] ? toTripRecord(rows[0]) : null;
  }

  /** Whether the driver holds a trip (assigned, arrived or in progress). */
  async driverIsAssigned(driverId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.tx.query(
      `SELECT 1 FROM trips WHERE driver_id = $1 AND status = ANY($2) LIMIT 1`,
      [driverId, ASSIGNED_STATES],
    );
    return rows.length > 0;
  }

  /** Every trip in these states (for the live view's cache at start). */
  async findInStates(statuses: readonly TripStatus[]): Promise<TripRecord[]> {
    const rows: TripRow[] = await this.db.tx.query(
      `SELECT ${TRIP_COLUMNS} ${TRIP_FROM} WHERE t.status = ANY($1)`,
      [statuses],
    );
    return rows.map(toTripRecord);
  }

  /** The rider's trip created with this key in the last 24 hours. */
  async findByIdempotencyKey(riderId: string, key: string): Promise<TripRecord | null> {
    const rows: TripRow[] = await this.db.tx.query(
      `SELECT ${TRIP_COLUMNS} ${TRIP_FROM}
       WHERE t.rider_id = $1 AND t.idempotency_key = $2 AND t.created_at > now() - interval '24 hours'`,
      [riderId, key],
    );
    return rows[0] ? toTripRecord(rows[0]) : null;
  }

  async findOpenFor(role: 'rider' | 'driver', id: string): Promise<TripRecord | null> {
    const column = role === 'rider' ? 't.rider_id' : 't.driver_id';
    const rows: TripRow[] = await this.db.tx.query(
      `SELECT ${TRIP_COLUMNS} ${TRIP_FROM} WHERE ${column} = $1 AND t.status = ANY($2)
       ORDER BY t.created_at DESC LIMIT 1`,
      [id, OPEN_STATES],
    );
    return rows[0] ? toTripRecord(rows[0]) : null;
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(filter: TripListFilter): Promise<TripRecord[]> {
    const { sql, params } = tripListQuery(filter);
    const rows: TripRow[] = await this.db.tx.query(sql, params);
    return rows.map(toTripRecord);
  }

  /**
   * One state change in one transaction (the caller's, when it has one): lock the row, check the
   * state machine and the owner, update, record the event, read the trip back.
   */
  async transition(request: TransitionRequest): Promise<TransitionResult> {
    return this.db.withTransaction(async () => {
      const tx = this.db.tx;
      const rows: { status: TripStatus; rider_id: string; driver_id: string | null }[] =
        await tx.query(`SELECT status, rider_id, driver_id FROM trips WHERE id = $1 FOR UPDATE`, [
          request.tripId,
        ]);
      const row = rows[0];
      if (!row) return { kind: 'not_found' };
      if (request.riderId && row.rider_id !== request.riderId) return { kind: 'not_found' };
      if (request.driverId && row.driver_id !== request.driverId) return { kind: 'not_found' };
      if (request.fromStatus && row.status !== request.fromStatus) {
        return { kind: 'invalid', status: row.status };
      }
      const to = nextState(row.status, request.action, request.actor.role);
      if (!to) return { kind: 'invalid', status: row.status };

      const sets = ['status = $2', 'updated_at = now()'];
      const params: unknown[] = [request.tripId, to];
      for (const [key, value] of Object.entries(request.patch ?? {})) {
        params.push(value);
        sets.push(`${PATCH_COLUMNS[key as keyof TripPatch]} = $${params.length}`);
        if (key === 'driverId') {
          sets.push(`vehicle_id = (SELECT id FROM vehicles WHERE driver_id = $${params.length})`);
        }
      }
      await tx.query(`UPDATE trips SET ${sets.join(', ')} WHERE id = $1`, params);
      await this.insertEvent(request.tripId, row.status, to, request.actor, request.data ?? {});
      const trip = (await this.findById(request.tripId)) as TripRecord;
      return { kind: 'ok', trip, from: row.status };
    });
  }

  /**
   * Adds metres driven (each process adds what its own pings measured, so N processes sum
   * correctly). Only while IN_PROGRESS: a late flush never changes a finished trip.
   */
  async addDrivenMeters(tripId: string, meters: number): Promise<void> {
    await this.db.tx.query(
      `UPDATE trips SET driven_meters = COALESCE(driven_meters, 0) + $2
       WHERE id = $1 AND status = 'IN_PROGRESS'`,
      [tripId, meters],
    );
  }

  /** Trips in these states whose last change is older than `before`, oldest first. */
  async findStale(
    statuses: readonly TripStatus[],
    before: Date,
    limit = 500,
  ): Promise<TripRecord[]> {
    const rows: TripRow[] = await this.db.tx.query(
      `SELECT ${TRIP_COLUMNS} ${TRIP_FROM}
       WHERE t.status = ANY($1) AND t.updated_at < $2 ORDER BY t.updated_at LIMIT $3`,
      [statuses, before, limit],
    );
    return rows.map(toTripRecord);
  }

  private async insertEvent(
    tripId: string,
    from: TripStatus | null,
    to: TripStatus,
    actor: { role: TripActorRole; id: string | null },
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.db.tx.query(
      `INSERT INTO trip_events (trip_id, from_status, to_status, actor_role, actor_id, data)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [tripId, from, to, actor.role, actor.id, data],
    );
  }
}

/** PostGIS takes (lng, lat); our code passes (lat, lng) as two parameters from `index`. */
function point(index: number): string {
  return `ST_SetSRID(ST_MakePoint($${index + 1}, $${index}), 4326)::geography`;
}
