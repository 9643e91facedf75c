import type { TripStatus } from './trips';

/**
 * The `/admin` live feed for the operations dashboard (README: Additions to the API). Positions
 * come in batches a few times per second, never one event per ping: each batch carries only the
 * drivers whose position or state changed since the previous one, packed in typed arrays.
 */
export const AdminFeedEvent = {
  DRIVERS: 'admin:drivers',
  TRIPS: 'admin:trips',
} as const;

/** One byte per driver in a batch. OFFLINE means "remove the dot". */
export const FeedDriverState = {
  OFFLINE: 0,
  AVAILABLE: 1,
  OFFERED: 2,
  ON_TRIP: 3,
  /** Online without a ping fresher than the server's stale threshold. */
  STALE: 4,
} as const;
export type FeedDriverState = (typeof FeedDriverState)[keyof typeof FeedDriverState];

export interface FeedDriverCounts {
  online: number;
  available: number;
  offered: number;
  onTrip: number;
  stale: number;
}

/**
 * `admin:drivers`. Drivers are numbered per connection: `ids[k]` is driver number `idsFrom + k`.
 * A `full` batch (the first after connecting) restarts the numbering at 0 and lists every driver
 * on the map; later batches only append new ids and carry changed records.
 */
export interface AdminDriversBatch {
  full: boolean;
  /** Server time of the batch, ms since the epoch. */
  atMs: number;
  idsFrom: number;
  ids: string[];
  /** Records in `records`, laid out as `driverRecordViews` reads them. */
  count: number;
  /** `count` records; a Buffer from a Node server, an ArrayBuffer in a browser. */
  records: ArrayBuffer | Uint8Array;
  /** Over every driver this process knows, not only the changed ones. */
  counts: FeedDriverCounts;
}

/** `admin:trips`, every couple of seconds: the open trips, newest first, at most `limit`. */
export interface AdminTripsBatch {
  atMs: number;
  limit: number;
  /** `[id, status, driverId | null, pickupLat, pickupLng, dropoffLat, dropoffLng]` */
  trips: FeedTrip[];
}
export type FeedTrip = [string, TripStatus, string | null, number, number, number, number];

export interface AdminServerEvents {
  'admin:drivers': (batch: AdminDriversBatch) => void;
  'admin:trips': (batch: AdminTripsBatch) => void;
}

/** Bytes per record: driver number (u32), lat and lng in microdegrees (i32), state (u8). */
export const DRIVER_RECORD_BYTES = 13;

/**
 * Views over `count` packed records: all numbers first, then all lats, all lngs, all states,
 * so each column is an aligned typed array (platform byte order, little-endian everywhere we
 * run). Used by the server to write a batch and by clients to read one.
 */
export function driverRecordViews(buffer: ArrayBufferLike, count: number, byteOffset = 0) {
  return {
    driverNumber: new Uint32Array(buffer, byteOffset, count),
    latE6: new Int32Array(buffer, byteOffset + 4 * count, count),
    lngE6: new Int32Array(buffer, byteOffset + 8 * count, count),
    state: new Uint8Array(buffer, byteOffset + 12 * count, count),
  };
}

/** Reads a batch's records, copying them first when they do not start on a 4-byte boundary. */
export function readDriverRecords(records: ArrayBuffer | Uint8Array, count: number) {
  if (records instanceof ArrayBuffer) return driverRecordViews(records, count);
  if (records.byteOffset % 4 === 0)
    return driverRecordViews(records.buffer, count, records.byteOffset);
  return driverRecordViews(records.slice().buffer, count);
}
