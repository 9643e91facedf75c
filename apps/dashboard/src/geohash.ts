const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The cell of a geohash as `[south, west, north, east]` degrees. */
export function geohashBounds(hash: string): [number, number, number, number] {
  let south = -90;
  let north = 90;
  let west = -180;
  let east = 180;
  let even = true;
  for (const ch of hash.toLowerCase()) {
    const value = BASE32.indexOf(ch);
    if (value < 0) throw new Error(`"${hash}" is not a geohash`);
    for (let bit = 4; bit >= 0; bit--) {
      const on = (value >> bit) & 1;
      if (even) {
        const mid = (west + east) / 2;
        if (on) west = mid;
        else east = mid;
      } else {
        const mid = (south + north) / 2;
        if (on) south = mid;
        else north = mid;
      }
      even = !even;
    }
  }
  return [south, west, north, east];
}
