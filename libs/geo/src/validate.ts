/**
 * Argument checks shared by the public entry points. Each message names the argument, the value
 * and how to fix the call, because these surface in logs far away from the caller.
 */

export function assertLat(lat: number, name = 'lat'): void {
  if (typeof lat !== 'number' || Number.isNaN(lat)) {
    throw new RangeError(`${name} must be a number of degrees in [-90, 90], got ${String(lat)}`);
  }
  if (lat < -90 || lat > 90) {
    throw new RangeError(
      `${name} ${lat} is outside [-90, 90]; were lat and lng swapped? Arguments are (lat, lng).`,
    );
  }
}

export function assertLng(lng: number, name = 'lng'): void {
  if (typeof lng !== 'number' || Number.isNaN(lng)) {
    throw new RangeError(`${name} must be a number of degrees in [-180, 180], got ${String(lng)}`);
  }
  if (lng < -180 || lng > 180) {
    throw new RangeError(
      `${name} ${lng} is outside [-180, 180]; normalise longitudes into [-180, 180] before calling.`,
    );
  }
}

export function assertId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) {
    throw new RangeError(`id must be a non-empty string, got ${JSON.stringify(id)}`);
  }
}

/** Called when `handle` names no live point; always throws, saying which of the causes it is. */
export function assertHandle(handle: number): never {
  if (typeof handle !== 'number' || !Number.isInteger(handle) || handle < 0) {
    throw new RangeError(
      `handle must be a number returned by upsert or handleOf, got ${String(handle)}`,
    );
  }
  throw new RangeError(
    `handle ${handle} names no indexed point: it was removed (or never issued); upsert(id, lat, lng) again and keep the handle it returns`,
  );
}

export function assertK(k: number): void {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new RangeError(`k must be a positive integer (1, 2, ...), got ${String(k)}`);
  }
}

export function assertRadius(radiusMeters: number): void {
  if (typeof radiusMeters !== 'number' || Number.isNaN(radiusMeters) || radiusMeters < 0) {
    throw new RangeError(
      `radiusMeters must be a number of metres >= 0 (Infinity for no limit), got ${String(radiusMeters)}`,
    );
  }
}

export function assertIntegerOption(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}
