import { Api } from './api';
import { MiniChart } from './chart';
import { byId, h, replace } from './dom';

interface AdminStats {
  drivers: { online: number; available: number; onTrip: number };
  trips: { open: number; byStatus: Record<string, number> };
  matching: {
    requested: number;
    matched: number;
    noDriver: number;
    p50Seconds: number | null;
    p95Seconds: number | null;
  };
  pings: { perSecond: number };
}

const seconds = (s: number | null) => (s === null ? '—' : `${s} s`);

/** Counters from GET /admin/stats every 2 s, and a chart of the last ten minutes. */
export class StatsPanel {
  private readonly chart = new MiniChart(byId<HTMLCanvasElement>('chart'), [
    { label: 'online', color: '#e2e8f0' },
    { label: 'available', color: '#34d399' },
    { label: 'on trip', color: '#60a5fa' },
    { label: 'open trips', color: '#a78bfa' },
    { label: 'pings/s', color: '#fbbf24' },
  ]);
  private timer: number | undefined;
  last: AdminStats | null = null;

  constructor(private readonly api: Api) {}

  start(): void {
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), 2_000);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    const error = byId('stats-error');
    try {
      const s = await this.api.get<AdminStats>('/admin/stats');
      this.last = s;
      error.textContent = '';
      const counter = (key: string, label: string, value: string | number) =>
        h('div', { class: 'counter', 'data-key': key }, h('b', {}, value), h('span', {}, label));
      replace(
        byId('counters'),
        counter('online', 'online', s.drivers.online),
        counter('available', 'available', s.drivers.available),
        counter('onTrip', 'on trip', s.drivers.onTrip),
        counter('open', 'open trips', s.trips.open),
        counter('matched', 'matched (24 h)', s.matching.matched),
        counter('noDriver', 'no driver (24 h)', s.matching.noDriver),
        counter('p50', 'match p50', seconds(s.matching.p50Seconds)),
        counter('p95', 'match p95', seconds(s.matching.p95Seconds)),
        counter('pings', 'pings/s', Math.round(s.pings.perSecond)),
      );
      this.chart.push(Date.now(), [
        s.drivers.online,
        s.drivers.available,
        s.drivers.onTrip,
        s.trips.open,
        Math.round(s.pings.perSecond),
      ]);
    } catch (e) {
      error.textContent = `stats: ${(e as Error).message}`;
    }
  }
}
