import {
  CabType,
  LatLng,
  PaymentMethod,
  PaymentStatus,
  TripStatus,
  TripView,
} from '@app/contracts';

/** A trip as services see it: plain data, read back from the database after every change. */
export interface TripRecord {
  id: string;
  status: TripStatus;
  riderId: string;
  driverId: string | null;
  cabType: CabType;
  pickup: LatLng;
  dropoff: LatLng;
  paymentMethod: PaymentMethod;
  quoteFareMinor: number;
  surgeMultiplier: number;
  currency: string;
  fareMinor: number | null;
  distanceMeters: number | null;
  durationSeconds: number | null;
  pickupCode: string | null;
  cancelReason: string | null;
  cancelledBy: string | null;
  assignedAt: Date | null;
  startedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  arrivedAt: Date | null;
  quoteId: string | null;
  /** The quoted route's distance, for the final fare's band; null on trips before quotes. */
  quoteDistanceMeters: number | null;
  /** Metres driven while IN_PROGRESS as persisted so far (null: no ping counted yet). */
  drivenMeters: number | null;
  cancellationFeeMinor: number | null;
  payment: {
    status: PaymentStatus;
    amountMinor: number;
    capturedMinor: number;
    refundedMinor: number;
  } | null;
  driver: {
    id: string;
    name: string;
    rating: number;
    vehicle: { plate: string; model: string | null; cabType: string };
  } | null;
}

export type TripAudience = 'rider' | 'driver' | 'admin';

/** The API's trip; the pickup code goes to the trip's rider (and admins) only. */
export function toTripView(
  trip: TripRecord,
  audience: TripAudience,
  extra: { driverLocation?: LatLng; etaSeconds?: number } = {},
): TripView {
  const money = (amount: number) => ({ amount, currency: trip.currency });
  return {
    id: trip.id,
    status: trip.status,
    riderId: trip.riderId,
    ...(trip.driverId ? { driverId: trip.driverId } : {}),
    cabType: trip.cabType,
    pickup: trip.pickup,
    dropoff: trip.dropoff,
    paymentMethod: trip.paymentMethod,
    quote: { fare: money(trip.quoteFareMinor), surgeMultiplier: trip.surgeMultiplier },
    ...(trip.fareMinor !== null ? { fare: money(trip.fareMinor) } : {}),
    ...(trip.distanceMeters !== null ? { distanceMeters: trip.distanceMeters } : {}),
    ...(trip.durationSeconds !== null ? { durationSeconds: trip.durationSeconds } : {}),
    ...(trip.driver
      ? {
          driver: {
            ...trip.driver,
            ...(extra.driverLocation ? { location: extra.driverLocation } : {}),
          },
        }
      : {}),
    ...(extra.etaSeconds !== undefined ? { etaSeconds: extra.etaSeconds } : {}),
    ...(trip.pickupCode && audience !== 'driver' ? { pickupCode: trip.pickupCode } : {}),
    ...(trip.cancelReason ? { cancelReason: trip.cancelReason } : {}),
    ...(trip.cancellationFeeMinor ? { cancellationFee: money(trip.cancellationFeeMinor) } : {}),
    ...(trip.payment
      ? {
          payment: {
            status: trip.payment.status,
            amount: money(
              trip.payment.capturedMinor > 0
                ? trip.payment.capturedMinor
                : trip.payment.amountMinor,
            ),
            ...(trip.payment.refundedMinor > 0
              ? { refunded: money(trip.payment.refundedMinor) }
              : {}),
          },
        }
      : {}),
    createdAt: trip.createdAt.toISOString(),
    updatedAt: trip.updatedAt.toISOString(),
  };
}
