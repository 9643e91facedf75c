import { Client } from 'pg';

/**
 * What every fault scenario shares: timed requests, polling with a deadline, the invariants as
 * SQL that must return no rows, and a figures table printed for the note.
 */

export { pause, waitFor } from '../support/wait';

export interface Timed {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: { error?: string; message?: string; [key: string]: unknown };
}

/** One HTTP request with its status and latency; a request with no answer in `capMs` is 0. */
export async function timed(
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
  capMs = 15_000,
): Promise<Timed> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(capMs),
    });
    const text = await res.text();
    let body: Timed['body'] = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { text };
    }
    return {
      status: res.status,
      ms: Date.now() - started,
      retryAfter: res.headers.get('retry-after'),
      body,
    };
  } catch {
    return { status: 0, ms: Date.now() - started, retryAfter: null, body: {} };
  }
}

/** The invariants of the city, each a query that must return no rows. */
export const INVARIANTS: Record<string, string> = {
  'a driver on two open trips': `
    SELECT driver_id FROM trips
     WHERE driver_id IS NOT NULL AND status IN ('DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS')
     GROUP BY driver_id HAVING count(*) > 1`,
  'a trip offered twice to one driver': `
    SELECT trip_id, driver_id FROM trip_offers GROUP BY trip_id, driver_id HAVING count(*) > 1`,
  'a trip with two pending offers': `
    SELECT trip_id FROM trip_offers WHERE status = 'PENDING' GROUP BY trip_id HAVING count(*) > 1`,
  'a trip without its REQUESTED event': `
    SELECT t.id FROM trips t
     WHERE NOT EXISTS (SELECT 1 FROM trip_events e WHERE e.trip_id = t.id AND e.to_status = 'REQUESTED')`,
  'a trip without its payment': `
    SELECT t.id FROM trips t WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.trip_id = t.id)`,
  'an assigned trip without a driver': `
    SELECT id FROM trips
     WHERE status IN ('DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS') AND driver_id IS NULL`,
};

/** Every invariant that some rows break, with those rows: `{}` when the city is sound. */
export async function brokenInvariants(db: Client): Promise<Record<string, unknown[]>> {
  const broken: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(INVARIANTS)) {
    const { rows } = await db.query(sql);
    if (rows.length > 0) broken[name] = rows;
  }
  return broken;
}

/** Figures of one fault, printed as one block the note can paste. */
export class Figures {
  private readonly lines: string[] = [];

  constructor(private readonly title: string) {}

  add(what: string, value: string | number): void {
    this.lines.push(`  ${what.padEnd(56)} ${value}`);
  }

  /** The status codes and latencies of a set of timed requests, e.g. "503 x5, max 1502 ms". */
  addRequests(what: string, results: Timed[]): void {
    const codes = new Map<number, number>();
    for (const r of results) codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
    const summary = [...codes].map(([code, n]) => `${code} x${n}`).join(', ');
    const max = Math.max(...results.map((r) => r.ms));
    this.add(what, `${summary}; max ${max} ms`);
  }

  print(): void {
    process.stdout.write(`\n[fault figures] ${this.title}\n${this.lines.join('\n')}\n`);
  }
}

/** Milliseconds since `started`, for a figure. */
export const since = (started: number) => `${Date.now() - started} ms`;
