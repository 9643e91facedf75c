/**
 * Request-to-first-offer across processes, one child process: K drivers connect to the driver
 * api process (`--driver-url`), go AVAILABLE and ping every 3 s; after `--baseline` seconds of
 * pings alone, riders send `POST /trips` to the rider api process (`--rider-url`), open loop at
 * `--rate` per second for `--seconds`, each from a fresh rider, with a pickup 150 m from a driver
 * of the requested cab type. Matching runs on a worker process. Nobody answers an offer.
 * Measured here, on one clock: from sending `POST /trips` to the driver's socket on the other
 * process receiving `trip:offer` for that trip. Prints progress on stderr and one JSON report
 * on stdout; with `--go stdin` waits for `go <epochMs>` after `@ready`.
 *
 * Every loop is bounded: connect 20 s per socket, an ack 5 s, a request 10 s, offers waited for
 * at most 10 s after the last request.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { io, Socket } from 'socket.io-client';
import { assertLoopback, parseArgs, progress, sleep, sourceAddress } from '../ingest/common';
import { Fleet, PingPayload } from '../ingest/fleet';
import { httpJson } from '../matching/load';
import { cabTypeOf } from './seed';

const args = parseArgs(process.argv.slice(2));
const need = (name: string) => {
  const v = args.get(name);
  if (v === undefined) throw new Error(`missing --${name}`);
  return v;
};
const driverUrl = need('driver-url');
const riderUrl = need('rider-url');
const drivers = Number(need('drivers'));
const rate = Number(args.get('rate') ?? 20);
const seconds = Number(args.get('seconds') ?? 15);
const baselineSeconds = Number(args.get('baseline') ?? 5);
const seed = Number(args.get('seed') ?? 1);
const offset = Number(args.get('offset') ?? 0);
const label = 'match';
const CADENCE_MS = 3_000;
const OFFER_WAIT_MS = 10_000;

export interface MatchReport {
  drivers: { connected: number; available: number };
  pings: { ok: number; failed: Record<string, number> };
  baseline: { fromMs: number; toMs: number };
  requests: {
    fromMs: number;
    toMs: number;
    sent: number;
    created: number;
    failed: Record<string, number>;
  };
  /** Per created trip: id and ms from sending POST /trips to `trip:offer` on the driver socket. */
  trips: { tripId: string; httpMs: number; offerMs: number | null }[];
  maxSendLagMs: number;
}

function connect(token: string, index: number): Promise<Socket | null> {
  const socket = io(`${driverUrl}/driver`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 20_000,
    localAddress: sourceAddress(index),
  } as Parameters<typeof io>[1]);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.close();
      resolve(null);
    });
  });
}

function emitAck(socket: Socket, event: string, body: unknown): Promise<string> {
  return new Promise((resolve) => {
    socket
      .timeout(5_000)
      .emit(
        event,
        body,
        (err: Error | null, answer?: { ok?: boolean; error?: { code?: string } }) =>
          resolve(err ? 'TIMEOUT' : answer?.ok ? 'ok' : (answer?.error?.code ?? 'BAD_ACK')),
      );
  });
}

async function waitForGo(): Promise<void> {
  if (args.get('go') !== 'stdin') return;
  process.stderr.write('@ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const match = /^go (\d+)$/.exec(line.trim());
    if (match) {
      lines.close();
      await sleep(Math.max(0, Number(match[1]) - Date.now()));
      return;
    }
  }
  throw new Error('stdin closed before go');
}

async function main(): Promise<void> {
  assertLoopback(driverUrl);
  assertLoopback(riderUrl);
  const driverTokens = (JSON.parse(readFileSync(need('driver-tokens'), 'utf8')) as string[]).slice(
    offset,
    offset + drivers,
  );
  const riderTokens = JSON.parse(readFileSync(need('rider-tokens'), 'utf8')) as string[];
  const total = Math.round(rate * seconds);
  if (riderTokens.length < total) throw new Error(`need ${total} rider tokens`);
  const report: MatchReport = {
    drivers: { connected: 0, available: 0 },
    pings: { ok: 0, failed: {} },
    baseline: { fromMs: 0, toMs: 0 },
    requests: { fromMs: 0, toMs: 0, sent: 0, created: 0, failed: {} },
    trips: [],
    maxSendLagMs: 0,
  };
  const sockets: (Socket | null)[] = [];
  for (let from = 0; from < driverTokens.length; from += 500) {
    const batch = driverTokens.slice(from, from + 500).map((t, i) => connect(t, from + i));
    sockets.push(...(await Promise.all(batch)));
  }
  report.drivers.connected = sockets.filter(Boolean).length;
  progress(label, `connected ${report.drivers.connected}/${drivers} drivers to ${driverUrl}`);

  const offerAt = new Map<string, number>();
  for (const socket of sockets) {
    socket?.on('trip:offer', (offer: { tripId: string }) => {
      if (!offerAt.has(offer.tripId)) offerAt.set(offer.tripId, performance.now());
    });
  }
  const statuses = await Promise.all(
    sockets.map((s) => (s ? emitAck(s, 'driver:status', { status: 'AVAILABLE' }) : 'none')),
  );
  report.drivers.available = statuses.filter((s) => s === 'ok').length;
  progress(label, `${report.drivers.available} drivers AVAILABLE`);

  // Pings every 3 s per driver, spread evenly; the last position is the pickup anchor.
  const fleet = new Fleet(sockets.length, seed * 1_000_003);
  const last: (PingPayload | undefined)[] = new Array(sockets.length);
  let stopped = false;
  const pingOne = (i: number) => {
    const socket = sockets[i];
    if (!socket?.connected) return;
    const payload = fleet.next(i, Date.now());
    last[i] = payload;
    void emitAck(socket, 'driver:location', payload).then((key) => {
      if (key === 'ok') report.pings.ok++;
      else report.pings.failed[key] = (report.pings.failed[key] ?? 0) + 1;
    });
  };
  for (let i = 0; i < sockets.length; i++) pingOne(i); // a first position for everyone
  await waitForGo();
  const pingStart = performance.now();
  let cursor = 0;
  const pinger = setInterval(() => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - pingStart) / CADENCE_MS) * sockets.length);
    while (cursor < due) pingOne(cursor++ % sockets.length);
  }, 5);

  report.baseline.fromMs = Date.now();
  await sleep(baselineSeconds * 1000);
  report.baseline.toMs = Date.now();

  const random = (() => {
    let s = seed * 7919;
    return () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
  })();
  const sent: Promise<void>[] = [];
  const t0 = performance.now();
  report.requests.fromMs = Date.now();
  for (let k = 0; k < total; k++) {
    const planned = t0 + (k * 1000) / rate;
    const wait = planned - performance.now();
    if (wait > 0) await sleep(wait);
    report.maxSendLagMs = Math.max(report.maxSendLagMs, performance.now() - planned);
    // A pickup 150 m east of a random connected driver; the cab type is that driver's.
    let j = Math.floor(random() * sockets.length);
    for (let tries = 0; tries < 10 && !last[j]; tries++) j = (j + 1) % sockets.length;
    const anchor = last[j] ?? { lat: 51.5, lng: -0.12 };
    const pickup = { lat: anchor.lat, lng: anchor.lng + 0.0022 };
    const body = {
      pickup,
      dropoff: { lat: pickup.lat + 0.018, lng: pickup.lng },
      cabType: cabTypeOf(offset + j),
      paymentMethod: 'CASH',
    };
    const sentAt = performance.now();
    report.requests.sent++;
    sent.push(
      httpJson('POST', `${riderUrl}/trips`, riderTokens[k], body).then((answer) => {
        const trip = (answer.body as { id?: string; trip?: { id?: string } } | null) ?? {};
        const tripId = trip.id ?? trip.trip?.id;
        if (answer.status === 201 && tripId) {
          report.requests.created++;
          report.trips.push({ tripId, httpMs: answer.ms, offerMs: sentAt });
        } else {
          const key = `${answer.status}${answer.error ? ` ${answer.error}` : ''}`;
          report.requests.failed[key] = (report.requests.failed[key] ?? 0) + 1;
        }
      }),
    );
  }
  report.requests.toMs = Date.now();
  await Promise.all(sent);
  const deadline = performance.now() + OFFER_WAIT_MS;
  while (performance.now() < deadline && report.trips.some((t) => !offerAt.has(t.tripId))) {
    await sleep(100);
  }
  stopped = true;
  clearInterval(pinger);
  // offerMs held the send time until here.
  for (const trip of report.trips) {
    const at = offerAt.get(trip.tripId);
    trip.offerMs = at === undefined ? null : at - (trip.offerMs as number);
  }
  progress(
    label,
    `${report.requests.created}/${report.requests.sent} trips created, ` +
      `${report.trips.filter((t) => t.offerMs !== null).length} offered`,
  );
  for (const socket of sockets) socket?.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
  setTimeout(() => process.exit(0), 200);
}

main().catch((error: unknown) => {
  progress(label, `failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
