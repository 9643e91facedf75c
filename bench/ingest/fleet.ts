import { mulberry32 } from './common';

/** Centre of the 40 km x 40 km box the drivers start in (central London). */
const CENTER_LAT = 51.5;
const CENTER_LNG = -0.12;
const HALF_SIDE_METERS = 20_000;
const METERS_PER_DEG_LAT = 111_320;
const METERS_PER_DEG_LNG = METERS_PER_DEG_LAT * Math.cos((CENTER_LAT * Math.PI) / 180);
/** Longest move between two pings, whatever the gap (~40 m at a 3 s cadence). */
const MAX_STEP_METERS = 40;

export interface PingPayload {
  lat: number;
  lng: number;
  heading: number;
  speed: number;
  ts: number;
}

/**
 * Positions of N simulated drivers in typed arrays. Each driver has a cruising speed of
 * 5..14 m/s (18..50 km/h) and moves speed x elapsed time between pings (at most 40 m), so the
 * implied speed is always far below the server's 300 km/h plausibility limit, whatever the
 * ping rate.
 */
export class Fleet {
  private readonly lat: Float64Array;
  private readonly lng: Float64Array;
  private readonly headingDeg: Float64Array;
  private readonly speedMps: Float64Array;
  private readonly lastTsMs: Float64Array;
  private readonly random: () => number;

  constructor(
    readonly size: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
    this.lat = new Float64Array(size);
    this.lng = new Float64Array(size);
    this.headingDeg = new Float64Array(size);
    this.speedMps = new Float64Array(size);
    this.lastTsMs = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const northMeters = (this.random() * 2 - 1) * HALF_SIDE_METERS;
      const eastMeters = (this.random() * 2 - 1) * HALF_SIDE_METERS;
      this.lat[i] = CENTER_LAT + northMeters / METERS_PER_DEG_LAT;
      this.lng[i] = CENTER_LNG + eastMeters / METERS_PER_DEG_LNG;
      this.headingDeg[i] = this.random() * 360;
      this.speedMps[i] = 5 + this.random() * 9;
    }
  }

  /** Moves driver i to where it is at `nowMs` and returns the ping to send. */
  next(i: number, nowMs: number): PingPayload {
    const last = this.lastTsMs[i];
    if (last > 0) {
      // Turn a little, occasionally a lot, and bounce off the edges of the box.
      const turn = this.random() < 0.05 ? 90 : 20;
      let heading = this.headingDeg[i] + (this.random() * 2 - 1) * turn;
      const stepMeters = Math.min(MAX_STEP_METERS, (this.speedMps[i] * (nowMs - last)) / 1000);
      const rad = (heading * Math.PI) / 180;
      let lat = this.lat[i] + (stepMeters * Math.cos(rad)) / METERS_PER_DEG_LAT;
      let lng = this.lng[i] + (stepMeters * Math.sin(rad)) / METERS_PER_DEG_LNG;
      if (Math.abs(lat - CENTER_LAT) * METERS_PER_DEG_LAT > HALF_SIDE_METERS) {
        lat = this.lat[i];
        heading = 180 - heading;
      }
      if (Math.abs(lng - CENTER_LNG) * METERS_PER_DEG_LNG > HALF_SIDE_METERS) {
        lng = this.lng[i];
        heading = -heading;
      }
      this.lat[i] = lat;
      this.lng[i] = lng;
      this.headingDeg[i] = ((heading % 360) + 360) % 360;
    }
    this.lastTsMs[i] = nowMs;
    return {
      lat: Math.round(this.lat[i] * 1e6) / 1e6,
      lng: Math.round(this.lng[i] * 1e6) / 1e6,
      heading: Math.round(this.headingDeg[i]),
      speed: Math.round(this.speedMps[i] * 10) / 10,
      ts: nowMs,
    };
  }
}
