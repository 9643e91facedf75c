/** Counters of one run, the invariant checks that fail it, and the summary printed at the end. */
export class Counter {
  private readonly counts = new Map<string, number>();

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  entries(): [string, number][] {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
}

/** The value below which `q` of the sorted sample falls (nearest rank), or null if empty. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export class Stats {
  readonly startedAtMs = Date.now();
  /** When the bots started driving and requesting (after sign-up and connection). */
  trafficStartedAtMs = Date.now();
  /** Pings: `sent`, `ok`; refusals under their error code. */
  readonly pings = { sent: 0, ok: 0, refused: new Counter() };
  /** Trip outcomes as riders see them (requested, assigned, completed, ...). */
  readonly trips = new Counter();
  /** Offers as drivers see them (received, accepted, denied, expired, ...). */
  readonly offers = new Counter();
  /** Other events received (cabs:nearby, driver:location, ...). */
  readonly events = new Counter();
  /** Failed steps, as `event CODE`. */
  readonly errors = new Counter();
  /** Real milliseconds of driver time by state: idle, en route, with rider, offline. */
  readonly driverMs = new Counter();
  /** Milliseconds from the request's ack to the rider's DRIVER_ASSIGNED update. */
  readonly assignMs: number[] = [];
  readonly violations: string[] = [];
  readonly warnings = new Counter();

  constructor(private readonly log: (line: string) => void) {}

  error(event: string, code: string): void {
    this.errors.add(`${event} ${code}`);
  }

  /** An invariant of the system broke: printed at once, and the run exits non-zero. */
  violation(message: string): void {
    this.violations.push(message);
    this.log(`  !! INVARIANT: ${message}`);
  }

  /** Seconds since the traffic started. */
  trafficSeconds(): number {
    return (Date.now() - this.trafficStartedAtMs) / 1000;
  }
}

const row = (label: string, value: string | number) => `  ${label.padEnd(34)} ${value}`;
const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function formatSummary(
  stats: Stats,
  info: { drivers: number; riders: number; seed: number },
  adminStats: string,
): string {
  const t = stats.trips;
  const o = stats.offers;
  const lines = [
    '',
    '==================== simulation summary ====================',
    row('seed', info.seed),
    row('drivers / riders simulated', `${info.drivers} / ${info.riders}`),
    row(
      'wall time (sign-up + traffic)',
      `${((Date.now() - stats.startedAtMs) / 1000).toFixed(1)} s`,
    ),
    row('traffic (run + drain)', `${stats.trafficSeconds().toFixed(1)} s`),
    '',
    'pings',
    row('sent', stats.pings.sent),
    row('acked ok', stats.pings.ok),
    ...stats.pings.refused.entries().map(([code, n]) => row(`refused ${code}`, n)),
    row('unanswered', stats.pings.sent - stats.pings.ok - stats.pings.refused.total()),
    '',
    'trips (as riders saw them)',
    row('requested', t.get('requested')),
    row('assigned a driver', t.get('assigned')),
    row('completed', t.get('completed')),
    row('cancelled by the rider', t.get('cancelled by rider')),
    row('cancelled at shutdown', t.get('cancelled at shutdown')),
    row('cancelled (other)', t.get('cancelled other')),
    row('no driver found', t.get('no driver')),
    row('left open at the end', t.get('left open')),
    row('request to assignment p50', seconds(percentile(stats.assignMs, 0.5))),
    row('request to assignment p95', seconds(percentile(stats.assignMs, 0.95))),
    '',
    'offers (as drivers saw them)',
    row('received', o.get('received')),
    row('accepted', o.get('accepted')),
    row('accept refused (late or taken)', o.get('accept refused')),
    row('denied', o.get('denied')),
    row('left to expire', o.get('ignored')),
    row('expired (server said)', o.get('expired')),
    row('revoked (other reasons)', o.get('revoked')),
    '',
    'events received',
    ...stats.events.entries().map(([name, n]) => row(name, n)),
    '',
    'errors by code',
    ...(stats.errors.total() === 0
      ? [row('(none)', '')]
      : stats.errors.entries().map(([key, n]) => row(key, n))),
    ...(stats.warnings.total() === 0
      ? []
      : ['', 'warnings', ...stats.warnings.entries().map(([key, n]) => row(key, n))]),
    '',
    'invariants',
    ...(stats.violations.length === 0
      ? [row('all held', 'yes')]
      : stats.violations.slice(0, 20).map((v) => `  BROKEN: ${v}`)),
    '',
    'server /admin/stats at the end',
    adminStats,
    '============================================================',
  ];
  return lines.join('\n');
}
