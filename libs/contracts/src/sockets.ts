import type { Ack } from './errors';
import type { CabType } from './accounts';
import type { LatLng, PaymentMethod, TripOfferView, TripView } from './trips';

/** Live state of a driver, as kept by the locations module. */
export const DriverStatus = {
  OFFLINE: 'OFFLINE',
  AVAILABLE: 'AVAILABLE',
  ON_TRIP: 'ON_TRIP',
} as const;
export type DriverStatus = (typeof DriverStatus)[keyof typeof DriverStatus];

/** `driver:location` payload: `ts` is milliseconds since the epoch, taken on the phone. */
export interface LocationPing {
  lat: number;
  lng: number;
  heading?: number;
  speed?: number;
  accuracy?: number;
  ts: number;
}

export interface NearbyCab {
  cabType: CabType;
  location: LatLng;
  etaSeconds: number;
  heading?: number;
}

export interface NearbyCabs {
  cabs: NearbyCab[];
}

type Answer<T extends object = object> = (answer: Ack<T>) => void;
type TripAnswer = Answer<{ trip: TripView }>;

/**
 * The client-to-server contract, per namespace: each event's payload and its ack. The server
 * types `listen` by these maps and the apps type their sockets by them, so a drift on either
 * side stops compiling. Payloads are what a well-behaved app sends; the server still validates
 * every one as `unknown`.
 */
export interface DriverClientEvents {
  'driver:status': (
    payload: { status: 'AVAILABLE' | 'OFFLINE' },
    ack: Answer<{ status: DriverStatus }>,
  ) => void;
  'driver:location': (payload: LocationPing, ack: Answer) => void;
  'trip:accept': (payload: { tripId: string }, ack: TripAnswer) => void;
  'trip:deny': (payload: { tripId: string }, ack: Answer<{ tripId: string }>) => void;
  'trip:arrive': (payload: { tripId: string }, ack: TripAnswer) => void;
  'trip:start': (payload: { tripId: string; pickupCode: string }, ack: TripAnswer) => void;
  'trip:complete': (payload: { tripId: string }, ack: TripAnswer) => void;
  'trip:cancel': (payload: { tripId: string; reason?: string }, ack: TripAnswer) => void;
}

export interface RiderClientEvents {
  'trip:request': (
    payload: {
      pickup: LatLng;
      dropoff: LatLng;
      cabType: CabType;
      paymentMethod: PaymentMethod;
      quoteId?: string;
      paymentMethodToken?: string;
      idempotencyKey?: string;
    },
    ack: TripAnswer,
  ) => void;
  'trip:cancel': (payload: { tripId: string; reason?: string }, ack: TripAnswer) => void;
  'cabs:watch': (payload: LatLng & { radius?: number }, ack: Answer) => void;
  'cabs:unwatch': (payload: unknown, ack: Answer) => void;
}

/** The data an event's ack carries when it succeeds (`{ ok: true, ...data }`). */
export type AckData<F> = F extends (payload: never, ack: (answer: Ack<infer T>) => void) => void
  ? T
  : never;

export const SocketEvent = {
  DRIVER_STATUS: 'driver:status',
  DRIVER_LOCATION: 'driver:location',
  CABS_WATCH: 'cabs:watch',
  CABS_UNWATCH: 'cabs:unwatch',
  CABS_NEARBY: 'cabs:nearby',
  TRIP_REQUEST: 'trip:request',
  TRIP_CANCEL: 'trip:cancel',
  TRIP_ACCEPT: 'trip:accept',
  TRIP_DENY: 'trip:deny',
  TRIP_ARRIVE: 'trip:arrive',
  TRIP_START: 'trip:start',
  TRIP_COMPLETE: 'trip:complete',
  TRIP_OFFER: 'trip:offer',
  TRIP_OFFER_REVOKED: 'trip:offer:revoked',
  TRIP_UPDATE: 'trip:update',
} as const;

/** Events the server emits about trips, on `/rider` and `/driver`. */
export interface TripServerEvents {
  'trip:update': (body: { trip: TripView }) => void;
  'trip:offer': (offer: TripOfferView) => void;
  'trip:offer:revoked': (body: { tripId: string; reason: string }) => void;
  /** Rider only: the assigned driver's position after each accepted ping. */
  'driver:location': (body: {
    tripId: string;
    location: LatLng;
    heading?: number;
    etaSeconds: number;
  }) => void;
}

/** The server-to-client contract of `/driver`. */
export interface DriverServerEvents {
  'trip:update': TripServerEvents['trip:update'];
  'trip:offer': TripServerEvents['trip:offer'];
  'trip:offer:revoked': TripServerEvents['trip:offer:revoked'];
}

/** The server-to-client contract of `/rider`. */
export interface RiderServerEvents {
  'trip:update': TripServerEvents['trip:update'];
  'driver:location': TripServerEvents['driver:location'];
  'cabs:nearby': (body: NearbyCabs) => void;
}
