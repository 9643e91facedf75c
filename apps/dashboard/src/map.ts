import { FeedDriverState, TripStatus } from '@app/contracts';
import { DriverStore } from './drivers';
import { geohashBounds } from './geohash';

export interface SurgeCell {
  geohash: string;
  multiplier: number;
  demand?: number;
  supply?: number;
}

export const STATE_STYLE: { state: FeedDriverState; label: string; color: string }[] = [
  { state: FeedDriverState.AVAILABLE, label: 'available', color: '#34d399' },
  { state: FeedDriverState.OFFERED, label: 'offered', color: '#fbbf24' },
  { state: FeedDriverState.ON_TRIP, label: 'on trip', color: '#60a5fa' },
  { state: FeedDriverState.STALE, label: 'stale', color: '#9ca3af' },
];

const TRIP_COLOR: Record<string, string> = {
  [TripStatus.REQUESTED]: 'rgba(251, 191, 36, 0.8)',
  [TripStatus.DRIVER_ASSIGNED]: 'rgba(167, 139, 250, 0.8)',
  [TripStatus.DRIVER_ARRIVED]: 'rgba(244, 114, 182, 0.8)',
  [TripStatus.IN_PROGRESS]: 'rgba(96, 165, 250, 0.8)',
};

const METERS_PER_DEG = 111_320;
const FRAME_HISTORY = 240;

/** What the last frames drew, for the read-only test hook. */
export interface FrameStats {
  frames: number;
  driversDrawn: number;
  tripsDrawn: number;
  surgeCellsDrawn: number;
  lastFrameMs: number;
  /** The store's version the last frame drew. */
  drawnVersion: number;
  recentFrameMs: number[];
}

/**
 * The city on a Canvas2D: a local equirectangular projection around a reference latitude (the
 * drivers' bounding box when fitted), pan by dragging, zoom with the wheel. A change asks for a
 * frame; however many changes arrive, at most one frame is drawn per animation frame.
 */
export class MapView {
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private centerLat = 0;
  private centerLng = 0;
  private refCos = 1;
  /** Pixels per degree of latitude; 0 until fitted. */
  private pxPerDeg = 0;
  private pending = false;
  private drag: { x: number; y: number; moved: boolean } | null = null;
  surge: SurgeCell[] = [];
  selected: string | null = null;
  onPick: (driverId: string) => void = () => undefined;
  readonly stats: FrameStats = {
    frames: 0,
    driversDrawn: 0,
    tripsDrawn: 0,
    surgeCellsDrawn: 0,
    lastFrameMs: 0,
    drawnVersion: -1,
    recentFrameMs: [],
  };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly store: DriverStore,
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas in this browser');
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => {
      this.drag = { x: e.clientX, y: e.clientY, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => {
      if (this.drag && !this.drag.moved) this.pick(e);
      this.drag = null;
    });
  }

  requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  /** Frames the middle 98 % of the drivers on the map (a few strays do not zoom it out). */
  fit(): boolean {
    const { store } = this;
    const lats: number[] = [];
    const lngs: number[] = [];
    const step = Math.max(1, Math.floor(store.ids.length / 5000));
    for (let n = 0; n < store.ids.length; n += step) {
      if (store.state[n] === FeedDriverState.OFFLINE) continue;
      lats.push(store.latE6[n] / 1e6);
      lngs.push(store.lngE6[n] / 1e6);
    }
    if (lats.length === 0) return false;
    lats.sort((a, b) => a - b);
    lngs.sort((a, b) => a - b);
    const q = (xs: number[], f: number) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))];
    const south = q(lats, 0.01);
    const north = q(lats, 0.99);
    const west = q(lngs, 0.01);
    const east = q(lngs, 0.99);
    this.centerLat = (south + north) / 2;
    this.centerLng = (west + east) / 2;
    this.refCos = Math.cos((this.centerLat * Math.PI) / 180);
    const spanLat = Math.max(north - south, 0.005);
    const spanLng = Math.max((east - west) * this.refCos, 0.005);
    this.pxPerDeg = 0.85 * Math.min(this.height / spanLat, this.width / spanLng);
    this.requestDraw();
    return true;
  }

  get fitted(): boolean {
    return this.pxPerDeg > 0;
  }

  /** Screen position of a point, in CSS pixels. */
  project(lat: number, lng: number): [number, number] {
    return [
      this.width / 2 + (lng - this.centerLng) * this.refCos * this.pxPerDeg,
      this.height / 2 - (lat - this.centerLat) * this.pxPerDeg,
    ];
  }

  private draw(): void {
    const started = performance.now();
    const { ctx } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = '#0b1220';
    ctx.fillRect(0, 0, this.width, this.height);
    if (!this.fitted && !this.fit()) {
      ctx.fillStyle = '#94a3b8';
      ctx.font = '14px system-ui, sans-serif';
      ctx.fillText('Waiting for drivers on the live feed…', 16, 28);
      this.finishFrame(started, 0, 0, 0);
      return;
    }
    const surgeCells = this.drawSurge();
    const trips = this.drawTrips();
    const drawn = this.drawDrivers();
    this.drawScaleBar();
    this.finishFrame(started, drawn, trips, surgeCells);
  }

  private finishFrame(started: number, drivers: number, trips: number, surge: number): void {
    const s = this.stats;
    s.frames += 1;
    s.driversDrawn = drivers;
    s.tripsDrawn = trips;
    s.surgeCellsDrawn = surge;
    s.drawnVersion = this.store.version;
    s.lastFrameMs = performance.now() - started;
    s.recentFrameMs.push(s.lastFrameMs);
    if (s.recentFrameMs.length > FRAME_HISTORY) s.recentFrameMs.shift();
  }

  private drawSurge(): number {
    const { ctx } = this;
    let drawn = 0;
    for (const cell of this.surge) {
      if (!(cell.multiplier > 1)) continue;
      const [south, west, north, east] = geohashBounds(cell.geohash);
      const [x0, y0] = this.project(north, west);
      const [x1, y1] = this.project(south, east);
      if (x1 < 0 || y1 < 0 || x0 > this.width || y0 > this.height) continue;
      const alpha = Math.min(0.55, 0.12 + (cell.multiplier - 1) * 0.3);
      ctx.fillStyle = `rgba(249, 115, 22, ${alpha.toFixed(3)})`;
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      if (x1 - x0 > 28) {
        ctx.fillStyle = '#fed7aa';
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(`×${cell.multiplier.toFixed(1)}`, x0 + 3, y0 + 12);
      }
      drawn += 1;
    }
    return drawn;
  }

  private drawTrips(): number {
    const { ctx, store } = this;
    let drawn = 0;
    ctx.lineWidth = 1.25;
    for (const [, status, driverId, pLat, pLng, dLat, dLng] of store.trips) {
      const [px, py] = this.project(pLat, pLng);
      const [dx, dy] = this.project(dLat, dLng);
      ctx.strokeStyle = TRIP_COLOR[status] ?? 'rgba(255,255,255,0.6)';
      ctx.beginPath();
      ctx.moveTo(px, py);
      ctx.lineTo(dx, dy);
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillRect(px - 2.5, py - 2.5, 5, 5);
      const at = driverId ? store.positionOf(driverId) : null;
      if (at) {
        // The assigned driver: ringed, and tied to where it is heading next.
        const [x, y] = this.project(at[0], at[1]);
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(
          status === TripStatus.IN_PROGRESS ? dx : px,
          status === TripStatus.IN_PROGRESS ? dy : py,
        );
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.arc(x, y, 5, 0, Math.PI * 2);
        ctx.stroke();
      }
      drawn += 1;
    }
    return drawn;
  }

  /** One path per state colour; only dots inside the view are drawn (and counted). */
  private drawDrivers(): number {
    const { ctx, store } = this;
    const size = this.pxPerDeg > 40_000 ? 5 : this.pxPerDeg > 8_000 ? 3.5 : 2.5;
    const half = size / 2;
    const sx = this.refCos * this.pxPerDeg;
    const sy = this.pxPerDeg;
    const ox = this.width / 2 - this.centerLng * sx;
    const oy = this.height / 2 + this.centerLat * sy;
    const count = store.ids.length;
    let drawn = 0;
    for (const style of STATE_STYLE) {
      ctx.beginPath();
      for (let n = 0; n < count; n++) {
        if (store.state[n] !== style.state) continue;
        const x = ox + store.lngE6[n] * 1e-6 * sx;
        const y = oy - store.latE6[n] * 1e-6 * sy;
        if (x < -half || y < -half || x > this.width + half || y > this.height + half) continue;
        ctx.rect(x - half, y - half, size, size);
        drawn += 1;
      }
      ctx.fillStyle = style.color;
      ctx.fill();
    }
    const selected = this.selected && store.positionOf(this.selected);
    if (selected) {
      const [x, y] = this.project(selected[0], selected[1]);
      ctx.strokeStyle = '#f8fafc';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 9, 0, Math.PI * 2);
      ctx.stroke();
    }
    return drawn;
  }

  private drawScaleBar(): void {
    const { ctx } = this;
    const metersPerPx = METERS_PER_DEG / this.pxPerDeg;
    const target = metersPerPx * 120;
    const pow = 10 ** Math.floor(Math.log10(target));
    const meters = [5, 2, 1].map((m) => m * pow).find((m) => m <= target) ?? pow;
    const px = meters / metersPerPx;
    const x = 16;
    const y = this.height - 18;
    ctx.strokeStyle = '#e2e8f0';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, y - 5);
    ctx.lineTo(x, y);
    ctx.lineTo(x + px, y);
    ctx.lineTo(x + px, y - 5);
    ctx.stroke();
    ctx.fillStyle = '#e2e8f0';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(meters >= 1000 ? `${meters / 1000} km` : `${meters} m`, x + px + 6, y);
  }

  private resize(): void {
    this.dpr = window.devicePixelRatio || 1;
    this.width = this.canvas.clientWidth;
    this.height = this.canvas.clientHeight;
    this.canvas.width = Math.round(this.width * this.dpr);
    this.canvas.height = Math.round(this.height * this.dpr);
    this.requestDraw();
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    if (!this.fitted) return;
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    // Keep the point under the cursor where it is.
    const lng = this.centerLng + (mx - this.width / 2) / (this.refCos * this.pxPerDeg);
    const lat = this.centerLat - (my - this.height / 2) / this.pxPerDeg;
    const factor = Math.pow(1.0015, -e.deltaY);
    this.pxPerDeg = Math.min(5e6, Math.max(0.5, this.pxPerDeg * factor));
    this.centerLng = lng - (mx - this.width / 2) / (this.refCos * this.pxPerDeg);
    this.centerLat = lat + (my - this.height / 2) / this.pxPerDeg;
    this.requestDraw();
  }

  private pointerMove(e: PointerEvent): void {
    if (!this.drag || !this.fitted) return;
    const dx = e.clientX - this.drag.x;
    const dy = e.clientY - this.drag.y;
    if (!this.drag.moved && Math.hypot(dx, dy) < 4) return;
    this.drag = { x: e.clientX, y: e.clientY, moved: true };
    this.centerLng -= dx / (this.refCos * this.pxPerDeg);
    this.centerLat += dy / this.pxPerDeg;
    this.requestDraw();
  }

  /** A click picks the nearest driver within 8 px. */
  private pick(e: PointerEvent): void {
    if (!this.fitted) return;
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    const { store } = this;
    let best = -1;
    let bestD2 = 64;
    for (let n = 0; n < store.ids.length; n++) {
      if (store.state[n] === FeedDriverState.OFFLINE) continue;
      const [x, y] = this.project(store.latE6[n] / 1e6, store.lngE6[n] / 1e6);
      const d2 = (x - mx) ** 2 + (y - my) ** 2;
      if (d2 < bestD2) {
        bestD2 = d2;
        best = n;
      }
    }
    if (best >= 0) this.onPick(store.ids[best]);
  }
}
