/**
 * The rider side: open-loop trip requests at a fixed rate (each from a distinct rider, sent on
 * schedule whatever the previous answers), cancellation of the trips a run left open, and the
 * `GET /cabs/nearby` check that the server loaded the fleet.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { assertLoopback, dropoffNear, mulberry32, pickCabType, pointInBox, sleep } from './common';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const REQUEST_TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  status: number;
  body: unknown;
  ms: number;
  error?: string;
}

/** One JSON request to 127.0.0.1; never rejects (status 0 and `error` instead). */
export function httpJson(
  method: 'GET' | 'POST',
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<HttpAnswer> {
  assertLoopback(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, parsed: unknown, error?: string) =>
      resolve({ status, body: parsed, ms: performance.now() - started, error });
    const req = request(url, { method, headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // keep the raw text
        }
        done(res.statusCode ?? 0, parsed, undefined);
      });
      res.on('error', (error) => done(res.statusCode ?? 0, null, error.message));
    });
    req.on('timeout', () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (error) => done(0, null, error.message));
    req.end(payload);
  });
}

export interface TripRequest {
  riderIndex: number;
  plannedMs: number;
  sentEpochMs: number;
  status: number;
  httpMs: number;
  tripId?: string;
  error?: string;
}

export interface LoadResult {
  requests: TripRequest[];
  startedEpochMs: number;
  /** When the last request was sent. */
  lastSendEpochMs: number;
  /** When the last answer arrived. */
  endedEpochMs: number;
  /** Worst delay between a request's planned and actual send time (generator health). */
  maxSendLagMs: number;
}

/**
 * Sends `count` POST /trips, one every 1000/rate ms, from riders `firstRider..` (their tokens),
 * without waiting for answers. Bounded by `count` and by a deadline of the planned duration
 * plus REQUEST_TIMEOUT_MS plus 5 s.
 */
export async function runTripLoad(options: {
  url: string;
  tokens: readonly string[];
  firstRider: number;
  count: number;
  ratePerSecond: number;
  seed: number;
}): Promise<LoadResult> {
  const { url, tokens, firstRider, count, ratePerSecond } = options;
  if (firstRider + count > tokens.length) throw new Error('not enough riders for this run');
  const random = mulberry32(options.seed);
  const intervalMs = 1000 / ratePerSecond;
  const requests: TripRequest[] = [];
  const pending: Promise<void>[] = [];
  const startedEpochMs = Date.now();
  const t0 = performance.now() + 100;
  const deadline = t0 + count * intervalMs + REQUEST_TIMEOUT_MS + 5_000;
  let maxSendLagMs = 0;
  let lastSendEpochMs = startedEpochMs;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const pickup = pointInBox(random);
    const body = {
      pickup,
      dropoff: dropoffNear(pickup, random),
      cabType: pickCabType(random),
      paymentMethod: 'CARD',
    };
    const planned = t0 + i * intervalMs;
    const wait = planned - performance.now();
    if (wait > 0) await sleep(wait);
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - planned);
    const entry: TripRequest = {
      riderIndex: firstRider + i,
      plannedMs: planned - t0,
      sentEpochMs: Date.now(),
      status: 0,
      httpMs: NaN,
    };
    lastSendEpochMs = entry.sentEpochMs;
    requests.push(entry);
    pending.push(
      httpJson('POST', `${url}/trips`, tokens[firstRider + i], body).then((answer) => {
        entry.status = answer.status;
        entry.httpMs = answer.ms;
        const trip = (answer.body as { trip?: { id?: unknown } } | null)?.trip;
        if (answer.status === 201 && typeof trip?.id === 'string') entry.tripId = trip.id;
        else entry.error = answer.error ?? `${answer.status} ${JSON.stringify(answer.body)}`;
      }),
    );
  }
  await Promise.all(pending);
  return { requests, startedEpochMs, lastSendEpochMs, endedEpochMs: Date.now(), maxSendLagMs };
}

/**
 * Cancels the given trips as their riders (POST /trips/:id/cancel), `concurrency` at a time,
 * within `budgetMs`. Returns how many were cancelled and the other statuses seen.
 */
export async function cancelTrips(
  url: string,
  trips: readonly { tripId: string; token: string }[],
  concurrency: number,
  budgetMs: number,
): Promise<{ cancelled: number; other: Record<string, number> }> {
  const deadline = Date.now() + budgetMs;
  const other: Record<string, number> = {};
  let cancelled = 0;
  let next = 0;
  const worker = async () => {
    while (next < trips.length && Date.now() < deadline) {
      const { tripId, token } = trips[next++];
      const answer = await httpJson('POST', `${url}/trips/${tripId}/cancel`, token, {
        reason: 'bench cleanup',
      });
      if (answer.status === 200) cancelled++;
      else other[String(answer.status)] = (other[String(answer.status)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { cancelled, other };
}

/** Cabs the server shows around the centre: proof that it loaded the live fleet. */
export async function nearbyCabs(url: string, token: string): Promise<Record<string, number>> {
  const answer = await httpJson('GET', `${url}/cabs/nearby?lat=51.5&lng=-0.12`, token);
  if (answer.status !== 200) {
    throw new Error(`GET /cabs/nearby answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const cabs = (answer.body as { cabs?: { cabType?: string }[] } | null)?.cabs ?? [];
  const byType: Record<string, number> = {};
  for (const cab of cabs) byType[cab.cabType ?? '?'] = (byType[cab.cabType ?? '?'] ?? 0) + 1;
  return byType;
}

export function closeAgent(): void {
  agent.destroy();
}
