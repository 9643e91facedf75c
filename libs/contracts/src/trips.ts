export const TripStatus = {
  REQUESTED: 'REQUESTED',
  DRIVER_ASSIGNED: 'DRIVER_ASSIGNED',
  DRIVER_ARRIVED: 'DRIVER_ARRIVED',
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  CANCELLED: 'CANCELLED',
  NO_DRIVER_FOUND: 'NO_DRIVER_FOUND',
} as const;
export type TripStatus = (typeof TripStatus)[keyof typeof TripStatus];

export const PaymentMethod = { CARD: 'CARD', CASH: 'CASH' } as const;
export type PaymentMethod = (typeof PaymentMethod)[keyof typeof PaymentMethod];

export const PaymentStatus = {
  PENDING: 'PENDING',
  AUTHORIZED: 'AUTHORIZED',
  CAPTURED: 'CAPTURED',
  FAILED: 'FAILED',
  RELEASED: 'RELEASED',
  PARTIALLY_REFUNDED: 'PARTIALLY_REFUNDED',
  REFUNDED: 'REFUNDED',
} as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

export interface LatLng {
  lat: number;
  lng: number;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface TripDriverView {
  id: string;
  name: string;
  rating: number;
  vehicle: { plate: string; model: string | null; cabType: string };
  location?: LatLng;
}

/** The trip as the API shows it; `pickupCode` only to the trip's rider. */
export interface TripView {
  id: string;
  status: TripStatus;
  riderId: string;
  driverId?: string;
  cabType: string;
  pickup: LatLng;
  dropoff: LatLng;
  paymentMethod: PaymentMethod;
  quote: { fare: Money; surgeMultiplier: number };
  fare?: Money;
  distanceMeters?: number;
  durationSeconds?: number;
  driver?: TripDriverView;
  etaSeconds?: number;
  pickupCode?: string;
  cancelReason?: string;
  /** Charged when the rider cancelled after the driver waited past the grace period. */
  cancellationFee?: Money;
  payment?: TripPaymentView;
  createdAt: string;
  updatedAt: string;
}

/** The trip's payment: `amount` is what is captured, or held until the capture. */
export interface TripPaymentView {
  status: PaymentStatus;
  amount: Money;
  refunded?: Money;
}

export const OfferOutcome = {
  PENDING: 'PENDING',
  ACCEPTED: 'ACCEPTED',
  DENIED: 'DENIED',
  EXPIRED: 'EXPIRED',
  REVOKED: 'REVOKED',
} as const;
export type OfferOutcome = (typeof OfferOutcome)[keyof typeof OfferOutcome];

/** `trip:offer` to one driver at a time. */
export interface TripOfferView {
  tripId: string;
  pickup: LatLng;
  dropoff: LatLng;
  cabType: string;
  estimatedFare: Money;
  pickupEtaSeconds: number;
  expiresAt: string;
}

export interface FareEstimate {
  cabType: string;
  fare: Money;
  surgeMultiplier: number;
  etaSeconds: number | null;
  distanceMeters: number;
  durationSeconds: number;
  available: boolean;
  /** Pass to `POST /trips` to keep this fare and surge. */
  quoteId: string;
  quoteExpiresAt: string;
}

/** One candidate of a matching round, as the dispatch log shows it (`GET /admin/trips/:id`). */
export interface DispatchCandidate {
  driverId: string;
  distanceMeters: number;
  pickupEtaSeconds: number;
  rating: number | null;
  acceptanceRate: number | null;
  score: number | null;
  decision: 'OFFERED' | 'NOT_REACHED' | 'BUSY_WITH_ANOTHER_OFFER' | 'SUSPENDED_OR_UNKNOWN';
}
