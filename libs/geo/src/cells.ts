import * as ngeohash from 'ngeohash';
import { assertIntegerOption, assertLat, assertLng } from './validate';

/** Geohash precisions a shard grid accepts: beyond 8 the integer cell keys would exceed 2^40. */
export const MIN_SHARD_PRECISION = 1;
export const MAX_SHARD_PRECISION = 8;

/**
 * The one place that maps a point to its shard cell. Cells are the geohash cells of `precision`
 * characters, addressed by an integer key (latRow * lngColumns + lngColumn) computed with
 * arithmetic, because ngeohash.encode allocates a string per call and upserts must not.
 *
 * Boundary rule, copied from ngeohash so names and keys always agree: a coordinate exactly on a
 * cell edge belongs to the lower cell, i.e. rows are (lo, hi] except the first, which also holds -90.
 */
export class CellGrid {
  readonly precision: number;
  readonly latRows: number;
  readonly lngColumns: number;
  /** Cell height and width in degrees, powers-of-two fractions of 180 and 360, so exact. */
  readonly cellLatDeg: number;
  readonly cellLngDeg: number;

  constructor(precision: number) {
    assertIntegerOption('shardPrecision', precision, MIN_SHARD_PRECISION, MAX_SHARD_PRECISION);
    this.precision = precision;
    const bits = 5 * precision;
    // Geohash interleaves starting with longitude, so longitude gets the odd bit.
    this.lngColumns = 2 ** Math.ceil(bits / 2);
    this.latRows = 2 ** Math.floor(bits / 2);
    this.cellLatDeg = 180 / this.latRows;
    this.cellLngDeg = 360 / this.lngColumns;
  }

  /** Row of a latitude. The floor guess is corrected against exact edges so rounding never disagrees with bisection. */
  latRow(lat: number): number {
    const h = this.cellLatDeg;
    let row = Math.ceil((lat + 90) / h) - 1;
    if (row < 0) row = 0;
    else if (row >= this.latRows) row = this.latRows - 1;
    while (row > 0 && lat <= -90 + row * h) row--;
    while (row < this.latRows - 1 && lat > -90 + (row + 1) * h) row++;
    return row;
  }

  lngColumn(lng: number): number {
    const w = this.cellLngDeg;
    let col = Math.ceil((lng + 180) / w) - 1;
    if (col < 0) col = 0;
    else if (col >= this.lngColumns) col = this.lngColumns - 1;
    while (col > 0 && lng <= -180 + col * w) col--;
    while (col < this.lngColumns - 1 && lng > -180 + (col + 1) * w) col++;
    return col;
  }

  keyOf(lat: number, lng: number): number {
    return this.latRow(lat) * this.lngColumns + this.lngColumn(lng);
  }

  keyOfCell(row: number, col: number): number {
    return row * this.lngColumns + col;
  }

  minLatOf(key: number): number {
    return -90 + Math.floor(key / this.lngColumns) * this.cellLatDeg;
  }

  minLngOf(key: number): number {
    return -180 + (key % this.lngColumns) * this.cellLngDeg;
  }

  /** Geohash string of a cell key; the cell centre is strictly inside, so encoding it is unambiguous. */
  nameOf(key: number): string {
    const lat = this.minLatOf(key) + this.cellLatDeg / 2;
    const lng = this.minLngOf(key) + this.cellLngDeg / 2;
    return ngeohash.encode(lat, lng, this.precision);
  }
}

/** Geohash of the cell holding (lat, lng) at `precision` characters (1..12). */
export function geohashOf(lat: number, lng: number, precision: number): string {
  assertLat(lat);
  assertLng(lng);
  assertIntegerOption('precision', precision, 1, 12);
  return ngeohash.encode(lat, lng, precision);
}

/** The eight cells around `geohash`, in ngeohash's order: n, ne, e, se, s, sw, w, nw. */
export function geohashNeighbours(geohash: string): string[] {
  assertGeohash(geohash);
  return ngeohash.neighbors(geohash);
}

function assertGeohash(geohash: string): void {
  if (typeof geohash !== 'string' || !/^[0-9b-hjkmnp-z]+$/.test(geohash)) {
    throw new RangeError(
      `geohash must be a non-empty base-32 geohash string (no a, i, l, o), got ${JSON.stringify(geohash)}`,
    );
  }
}

/** Bounds of a geohash cell as { minLat, minLng, maxLat, maxLng } in degrees. */
export function geohashBounds(geohash: string): {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
} {
  assertGeohash(geohash);
  const [minLat, minLng, maxLat, maxLng] = ngeohash.decode_bbox(geohash);
  return { minLat, minLng, maxLat, maxLng };
}
