import { CabType, PaymentMethod, PaymentStatus, TripStatus } from '@app/contracts';
import { TripRecord } from './trip.model';

/** The select list and joins that read a trip with its driver and vehicle. */
export const TRIP_COLUMNS = `
  t.id, t.status, t.rider_id, t.driver_id, t.cab_type, t.payment_method,
  ST_Y(t.pickup::geometry) AS pickup_lat, ST_X(t.pickup::geometry) AS pickup_lng,
  ST_Y(t.dropoff::geometry) AS dropoff_lat, ST_X(t.dropoff::geometry) AS dropoff_lng,
  t.quote_fare_minor, t.surge_multiplier, t.currency, t.fare_minor, t.distance_meters,
  t.duration_seconds, t.pickup_code, t.cancel_reason, t.cancelled_by, t.assigned_at,
  t.started_at, t.created_at, t.updated_at, t.arrived_at, t.quote_id, t.quote_distance_meters,
  t.driven_meters, t.cancellation_fee_minor,
  p.status AS payment_status, p.amount_minor AS payment_amount_minor,
  p.captured_minor AS payment_captured_minor, p.refunded_minor AS payment_refunded_minor,
  d.name AS driver_name, d.rating AS driver_rating,
  v.plate AS vehicle_plate, v.model AS vehicle_model, v.cab_type AS vehicle_cab_type`;

export const TRIP_FROM = `FROM trips t
  LEFT JOIN drivers d ON d.id = t.driver_id
  LEFT JOIN vehicles v ON v.driver_id = t.driver_id
  LEFT JOIN payments p ON p.trip_id = t.id`;

/** Filters of a trip list; every one optional, newest first, keyset-paginated on (created_at, id). */
export interface TripListFilter {
  riderId?: string;
  driverId?: string;
  status?: TripStatus;
  from?: Date;
  to?: Date;
  before?: { createdAt: Date; id: string };
  limit: number;
}

/** The one trip-list query, shared by the riders' and drivers' lists and the admin's. */
export function tripListQuery(filter: TripListFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let index = params.length;
    params.push(...values);
    where.push(sql.replace(/\?/g, () => `$${++index}`));
  };
  if (filter.riderId) add('t.rider_id = ?', filter.riderId);
  if (filter.driverId) add('t.driver_id = ?', filter.driverId);
  if (filter.status) add('t.status = ?', filter.status);
  if (filter.from) add('t.created_at >= ?', filter.from);
  if (filter.to) add('t.created_at < ?', filter.to);
  if (filter.before)
    add('(t.created_at, t.id) < (?, ?)', filter.before.createdAt, filter.before.id);
  params.push(filter.limit);
  const sql = `SELECT ${TRIP_COLUMNS} ${TRIP_FROM}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY t.created_at DESC, t.id DESC LIMIT $${params.length}`;
  return { sql, params };
}

export interface TripRow {
  id: string;
  status: TripStatus;
  rider_id: string;
  driver_id: string | null;
  cab_type: CabType;
  payment_method: PaymentMethod;
  pickup_lat: number;
  pickup_lng: number;
  dropoff_lat: number;
  dropoff_lng: number;
  quote_fare_minor: number;
  surge_multiplier: string;
  currency: string;
  fare_minor: number | null;
  distance_meters: number | null;
  duration_seconds: number | null;
  pickup_code: string | null;
  cancel_reason: string | null;
  cancelled_by: string | null;
  assigned_at: Date | null;
  started_at: Date | null;
  created_at: Date;
  updated_at: Date;
  arrived_at: Date | null;
  quote_id: string | null;
  quote_distance_meters: number | null;
  driven_meters: number | null;
  cancellation_fee_minor: number | null;
  payment_status: PaymentStatus | null;
  payment_amount_minor: number | null;
  payment_captured_minor: number | null;
  payment_refunded_minor: number | null;
  driver_name: string | null;
  driver_rating: string | null;
  vehicle_plate: string | null;
  vehicle_model: string | null;
  vehicle_cab_type: string | null;
}

export function toTripRecord(r: TripRow): TripRecord {
  return {
    id: r.id,
    status: r.status,
    riderId: r.rider_id,
    driverId: r.driver_id,
    cabType: r.cab_type,
    pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
    dropoff: { lat: r.dropoff_lat, lng: r.dropoff_lng },
    paymentMethod: r.payment_method,
    quoteFareMinor: r.quote_fare_minor,
    surgeMultiplier: Number(r.surge_multiplier),
    currency: r.currency,
    fareMinor: r.fare_minor,
    distanceMeters: r.distance_meters,
    durationSeconds: r.duration_seconds,
    pickupCode: r.pickup_code,
    cancelReason: r.cancel_reason,
    cancelledBy: r.cancelled_by,
    assignedAt: r.assigned_at,
    startedAt: r.started_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    arrivedAt: r.arrived_at,
    quoteId: r.quote_id,
    quoteDistanceMeters: r.quote_distance_meters,
    drivenMeters: r.driven_meters,
    cancellationFeeMinor: r.cancellation_fee_minor,
    payment:
      r.payment_status !== null
        ? {
            status: r.payment_status,
            amountMinor: r.payment_amount_minor as number,
            capturedMinor: r.payment_captured_minor as number,
            refundedMinor: r.payment_refunded_minor as number,
          }
        : null,
    driver:
      r.driver_id && r.driver_name !== null
        ? {
            id: r.driver_id,
            name: r.driver_name,
            rating: Number(r.driver_rating),
            vehicle: {
              plate: r.vehicle_plate as string,
              model: r.vehicle_model,
              cabType: r.vehicle_cab_type as string,
            },
          }
        : null,
  };
}
