/**
 * Load generator, one child process: N drivers on `/driver`, each connects with its token, goes
 * AVAILABLE, then pings in one or more phases (warmup, then a measure window):
 *   cadence  each driver pings every 3 s, the first pings spread evenly over the first 3 s
 *            (open loop, like phones: a slow ack does not delay the next ping);
 *   flood    closed loop per driver: the next ping leaves 210 ms after the previous ack (or
 *            timeout), so no driver exceeds the server's 5 pings/s and every ping is one the
 *            server should accept; the offered rate is N x 1/(210 ms + ack latency), so a server
 *            that saturates shows it as latency and a lower accepted rate, not as RATE_LIMITED.
 * Prints progress on stderr and one JSON LoadReport on stdout. With `--go stdin` it prints
 * `@ready` on stderr once connected and waits for `go <epochMs>` on stdin, so several load
 * processes (and the orchestrator's CPU sampling) share one timeline.
 *
 * The client is `LeanSocket` (bench/support/lean-socket.ts: socket.io's frames over `ws`, a
 * fraction of socket.io-client's CPU per ping, which on two cores is CPU taken from the server
 * measured); `--client socket.io` uses socket.io-client itself.
 *
 * Usage: node -r ts-node/register/transpile-only bench/ingest/load.ts --url http://127.0.0.1:PORT
 *   --tokens FILE --n N [--offset 0] [--modes cadence,flood] [--warmup 5] [--measure 15]
 *   [--gap 2] [--seed 1] [--batch 500] [--go stdin] [--label load] [--client lean|socket.io]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';
import { AckAnswer, AckCallback, LeanSocket } from '../support/lean-socket';
import {
  assertLoopback,
  Counts,
  Histogram,
  increment,
  LoadReport,
  Mode,
  MODES,
  parseArgs,
  PhaseReport,
  progress,
  sleep,
  sourceAddress,
} from './common';
import { Fleet } from './fleet';

const ACK_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 20_000;
const CADENCE_MS = 3_000;
/** Flood: gap after an ack before the driver's next ping; 5 pings/s is 200 ms, plus margin. */
const FLOOD_GAP_MS = 210;
const TICK_MS = 2;

/** What the generator needs of a driver's socket, from either client. */
interface Socket {
  readonly connected: boolean;
  on(event: 'disconnect', handler: (reason: string) => void): void;
  emit(event: string, payload: unknown, timeoutMs: number, callback: AckCallback): void;
  close(): void;
}

interface Phase {
  report: PhaseReport;
  hist: Histogram;
  warmStart: number;
  measStart: number;
  measEnd: number;
}

const args = parseArgs(process.argv.slice(2));
const label = args.get('label') ?? 'load';
const url = required('url');
const n = Number(required('n'));
const offset = Number(args.get('offset') ?? 0);
const modes = (args.get('modes') ?? 'cadence').split(',') as Mode[];
const warmupSeconds = Number(args.get('warmup') ?? 5);
const measureSeconds = Number(args.get('measure') ?? 15);
const gapSeconds = Number(args.get('gap') ?? 2);
const batchSize = Number(args.get('batch') ?? 500);
const seed = Number(args.get('seed') ?? 1);
const client = args.get('client') ?? 'lean';
if (client !== 'lean' && client !== 'socket.io')
  throw new Error('--client must be lean or socket.io');

function required(name: string): string {
  const value = args.get(name);
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

function answerKey(err: Error | null, answer: AckAnswer | undefined): string {
  if (err) return /disconnect/i.test(err.message) ? 'DISCONNECTED' : 'TIMEOUT';
  if (answer?.ok === true) return 'ok';
  return answer?.error?.code ?? 'BAD_ACK';
}

function connectOne(token: string, index: number, errors: Counts): Promise<Socket | null> {
  const refused = (error: Error) => {
    increment(errors, error.message);
    return null;
  };
  const localAddress = sourceAddress(index);
  if (client === 'lean') {
    return LeanSocket.connect(url, '/driver', { token }, CONNECT_TIMEOUT_MS, localAddress).catch(
      refused,
    );
  }
  const socket = io(`${url}/driver`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    localAddress,
  } as Parameters<typeof io>[1]);
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.off('connect_error');
      resolve({
        get connected() {
          return socket.connected;
        },
        on: (event, handler) => void socket.on(event, handler),
        emit: (event, payload, timeoutMs, callback) =>
          void socket.timeout(timeoutMs).emit(event, payload, callback),
        close: () => void socket.close(),
      });
    });
    socket.once('connect_error', (error: Error) => {
      socket.off('connect');
      socket.close();
      resolve(refused(error));
    });
  });
}

async function connectAll(tokens: string[], report: LoadReport): Promise<(Socket | null)[]> {
  const started = performance.now();
  const sockets: (Socket | null)[] = [];
  for (let from = 0; from < tokens.length; from += batchSize) {
    const batch = tokens.slice(from, from + batchSize);
    const connected = batch.map((t, i) => connectOne(t, offset + from + i, report.connect.errors));
    sockets.push(...(await Promise.all(connected)));
    progress(label, `connected ${sockets.filter(Boolean).length}/${tokens.length}`);
  }
  report.connect.ms = Math.round(performance.now() - started);
  report.connect.ok = sockets.filter(Boolean).length;
  report.connect.failed = tokens.length - report.connect.ok;
  for (const socket of sockets) {
    socket?.on('disconnect', (reason: string) => {
      if (!closing) increment(report.disconnects, reason);
    });
  }
  return sockets;
}

async function goAvailable(sockets: Socket[], report: LoadReport): Promise<void> {
  const started = performance.now();
  for (let from = 0; from < sockets.length; from += batchSize) {
    await Promise.all(
      sockets.slice(from, from + batchSize).map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.emit(
              'driver:status',
              { status: 'AVAILABLE' },
              ACK_TIMEOUT_MS,
              (err: Error | null, answer?: AckAnswer) => {
                const key = answerKey(err, answer);
                if (key === 'ok') report.status.ok++;
                else {
                  report.status.failed++;
                  increment(report.status.errors, key);
                }
                resolve();
              },
            );
          }),
      ),
    );
  }
  report.status.ms = Math.round(performance.now() - started);
  progress(label, `status AVAILABLE: ${report.status.ok} ok, ${report.status.failed} failed`);
}

/** Resolves with the shared start time (performance.now() clock). */
async function waitForGo(): Promise<number> {
  if (args.get('go') !== 'stdin') return performance.now() + 200;
  process.stderr.write('@ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const match = /^go (\d+)$/.exec(line.trim());
    if (match) {
      lines.close();
      return performance.now() + (Number(match[1]) - Date.now());
    }
  }
  throw new Error('stdin closed before go');
}

let closing = false;
let inflight = 0;

function runPhases(sockets: Socket[], fleet: Fleet, start: number): Promise<Phase[]> {
  const count = sockets.length;
  const phases: Phase[] = [];
  let at = start;
  for (const mode of modes) {
    const measStart = at + warmupSeconds * 1000;
    const measEnd = measStart + measureSeconds * 1000;
    phases.push({
      report: {
        mode,
        warmupSeconds,
        measureSeconds,
        sentTotal: 0,
        sentInWindow: 0,
        okInWindow: 0,
        latency: { total: 0, maxMs: 0, buckets: [] },
        outcomesInWindow: {},
        outcomesTotal: {},
        maxSendLagMs: 0,
      },
      hist: new Histogram(),
      warmStart: at,
      measStart,
      measEnd,
    });
    at = measEnd + gapSeconds * 1000;
  }

  // Flood: FIFO of drivers ready to ping; ready times are monotonic (constant gap after ack).
  const ringDriver = new Int32Array(count);
  const ringReady = new Float64Array(count);
  let head = 0;
  let size = 0;
  const push = (i: number, readyAt: number) => {
    const slot = (head + size) % count;
    ringDriver[slot] = i;
    ringReady[slot] = readyAt;
    size++;
  };

  const send = (i: number, phase: Phase, plannedAt: number) => {
    const r = phase.report;
    const socket = sockets[i];
    const sentAt = performance.now();
    const inWindow = sentAt >= phase.measStart && sentAt < phase.measEnd;
    if (inWindow && sentAt - plannedAt > r.maxSendLagMs) r.maxSendLagMs = sentAt - plannedAt;
    r.sentTotal++;
    if (inWindow) r.sentInWindow++;
    inflight++;
    const payload = fleet.next(i, Date.now());
    socket.emit(
      'driver:location',
      payload,
      ACK_TIMEOUT_MS,
      (err: Error | null, answer?: AckAnswer) => {
        inflight--;
        const now = performance.now();
        const key = answerKey(err, answer);
        increment(r.outcomesTotal, key);
        if (inWindow) {
          increment(r.outcomesInWindow, key);
          if (!err) phase.hist.record(now - sentAt);
        }
        if (key === 'ok' && now >= phase.measStart && now < phase.measEnd) r.okInWindow++;
        if (phase.report.mode === 'flood' && now < phase.measEnd && socket.connected) {
          push(i, now + FLOOD_GAP_MS);
        }
      },
    );
  };

  return new Promise((resolve) => {
    let index = 0;
    let cursor = 0;
    let lastProgress = performance.now();
    const startPhase = (phase: Phase) => {
      cursor = 0;
      head = 0;
      size = 0;
      if (phase.report.mode === 'flood') {
        for (let i = 0; i < count; i++) push(i, phase.warmStart + (i * FLOOD_GAP_MS) / count);
      }
      progress(label, `phase ${phase.report.mode}: warmup ${warmupSeconds}s`);
    };
    startPhase(phases[0]);
    const timer = setInterval(() => {
      const now = performance.now();
      const phase = phases[index];
      if (now >= phase.measEnd) {
        const r = phase.report;
        progress(label, `phase ${r.mode} done: ${r.okInWindow} ok in window, inflight ${inflight}`);
        index++;
        if (index === phases.length) {
          clearInterval(timer);
          resolve(phases);
          return;
        }
        startPhase(phases[index]);
        return;
      }
      if (now < phase.warmStart) return;
      if (phase.report.mode === 'cadence') {
        const interval = CADENCE_MS / count;
        let due = phase.warmStart + cursor * interval;
        while (due <= now && due < phase.measEnd) {
          const i = cursor % count;
          if (sockets[i].connected) send(i, phase, due);
          cursor++;
          due = phase.warmStart + cursor * interval;
        }
      } else {
        while (size > 0 && ringReady[head] <= now) {
          const i = ringDriver[head];
          const readyAt = ringReady[head];
          head = (head + 1) % count;
          size--;
          if (sockets[i].connected) send(i, phase, readyAt);
        }
      }
      if (now - lastProgress >= 5_000) {
        lastProgress = now;
        const r = phase.report;
        const stage = now < phase.measStart ? 'warmup' : 'measure';
        progress(label, `${r.mode} ${stage}: sent ${r.sentTotal}, inflight ${inflight}`);
      }
    }, TICK_MS);
  });
}

async function main(): Promise<void> {
  assertLoopback(url);
  if (!MODES.includes(modes[0]) || modes.some((m) => !MODES.includes(m))) {
    throw new Error(`--modes must be a list of ${MODES.join(', ')}`);
  }
  const allTokens = JSON.parse(readFileSync(required('tokens'), 'utf8')) as string[];
  const tokens = allTokens.slice(offset, offset + n);
  if (tokens.length < n) throw new Error(`tokens file has ${allTokens.length} tokens, need more`);
  const report: LoadReport = {
    pid: process.pid,
    drivers: n,
    connect: { ms: 0, ok: 0, failed: 0, errors: {} },
    status: { ms: 0, ok: 0, failed: 0, errors: {} },
    disconnects: {},
    phases: [],
  };
  progress(label, `connecting ${n} drivers to ${url}/driver in batches of ${batchSize}`);
  const sockets = (await connectAll(tokens, report)).filter((s): s is Socket => s !== null);
  if (sockets.length > 0) {
    await goAvailable(sockets, report);
    const fleet = new Fleet(sockets.length, seed * 1_000_003 + offset);
    const start = await waitForGo();
    const phases = await runPhases(sockets, fleet, start);
    const drainUntil = performance.now() + ACK_TIMEOUT_MS + 1_000;
    while (inflight > 0 && performance.now() < drainUntil) await sleep(50);
    report.phases = phases.map((p) => ({ ...p.report, latency: p.hist.toJSON() }));
  } else if (args.get('go') === 'stdin') {
    process.stderr.write('@ready\n');
  }
  closing = true;
  for (const socket of sockets) socket.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Exit without waiting for 20k close handshakes; the kernel closes what is left.
  setTimeout(() => process.exit(0), 200);
}

main().catch((error: unknown) => {
  progress(label, `failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
