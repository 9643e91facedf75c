import type { Ack } from './errors';
import type { CabType, LatLng } from './index';

/** Live state of a driver, as kept by the locations module. */
export const DriverStatus = { OFFLINE: 'OFFLINE', AVAILABLE: 'AVAILABLE', ON_TRIP: 'ON_TRIP' } as const;
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
} as const;
