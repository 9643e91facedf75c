import type { Ack } from './errors';
import type { CabType, LatLng, TripOfferView, TripView } from './index';

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

/** Events a driver app emits on `/driver`, with their payloads and acks. */
export interface DriverClientEvents {
  'driver:status': (
    payload: { status: 'AVAILABLE' | 'OFFLINE' },
    ack: (answer: Ack<{ status: DriverStatus }>) => void,
  ) => void;
  'driver:location': (payload: LocationPing, ack: (answer: Ack) => void) => void;
}

/** Events a rider app emits on `/rider`. */
export interface RiderClientEvents {
  'cabs:watch': (payload: LatLng & { radius?: number }, ack: (answer: Ack) => void) => void;
  'cabs:unwatch': (payload: unknown, ack: (answer: Ack) => void) => void;
}

/** Events the server emits on `/rider`. */
export interface RiderServerEvents {
  'cabs:nearby': (body: NearbyCabs) => void;
}

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
