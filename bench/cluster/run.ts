/**
 * `npm run bench:cluster`: the city on several processes of this machine, on the real PostgreSQL
 * and Redis on 127.0.0.1 (database `ridehail_bench_cluster`, Redis db 13, both reset at start).
 * It starts the server processes itself (`apps/api/src/main.ts` with PROCESS_ROLES), kills only
 * those, by pid, and measures in one run:
 *   1. ping ingest at saturation (the ingest bench's flood mode, two load processes), with one
 *      api process and with two (drivers split across them), rounds alternating, and CPU of
 *      every server process and of Redis;
 *   2. replication lag at CLUSTER_N (20k) drivers pinging every 3 s on two api processes: a probe
 *      driver on api-1 pings, and GET /cabs/nearby on api-2 is polled until it shows the new
 *      position; plus the `ridehail_location_replication_lag_seconds` histograms of api-2 and
 *      the worker over the same window;
 *   3. request to first offer with the rider on api-1, the drivers on api-2, matching on the
 *      worker (POST /trips sent -> `trip:offer` on the driver's socket, one clock);
 *   4. Redis Streams XADD / XREAD throughput per Redis core (servers stopped by then).
 * Prints a table on stdout, progress on stderr, and every number as JSON in
 * bench/cluster/results/ (latest.json and a timestamped copy).
 *
 * Env: CLUSTER_QUICK=1 (small and short), CLUSTER_N / INGEST_N (lag fleet, default 20000),
 * CLUSTER_FLOOD_N (10000), CLUSTER_ROUNDS (2), CLUSTER_LAG_SAMPLES (80), CLUSTER_MATCH_DRIVERS
 * (4000), CLUSTER_MATCH_RATE (20/s), CLUSTER_MATCH_SECONDS (15), CLUSTER_CLIENT=lean|socket.io
 * (the load generator's client, default lean: bench/support/lean-socket.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { io, Socket } from 'socket.io-client';
import { Histogram, LoadReport, sleep } from '../ingest/common';
import {
  alive,
  Child,
  CpuSampler,
  machineReader,
  spawnChild,
  stopChild,
  treeReader,
  waitForHttp200,
  waitForLine,
} from '../ingest/proc';
import { httpJson } from '../matching/load';
import type { MatchReport } from './match';
import {
  Buckets,
  diffBuckets,
  histogramQuantileMs,
  histogramTotal,
  median,
  quantiles,
  Quantiles,
  RedisCpuSampler,
  scrapeHistogram,
} from './metrics';
import {
  backendPids,
  BENCH_DB_URL,
  BENCH_REDIS_URL,
  JWT_SECRET,
  mintTokens,
  offerLatencies,
  resetServices,
  seedDrivers,
  seedRiders,
} from './seed';
import { StreamRow, streamThroughput } from './streams';

const ROOT = resolve(__dirname, '../..');
const env = process.env;
const QUICK = env.CLUSTER_QUICK === '1';
const int = (name: string, fallback: number) => {
  const v = Number(env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
  return v;
};
const LAG_N = int('CLUSTER_N', Number(env.INGEST_N ?? (QUICK ? 2000 : 20_000)));
const FLOOD_N = int('CLUSTER_FLOOD_N', QUICK ? 2000 : 10_000);
const ROUNDS = int('CLUSTER_ROUNDS', QUICK ? 1 : 2);
const LAG_SAMPLES = int('CLUSTER_LAG_SAMPLES', QUICK ? 20 : 80);
const MATCH_DRIVERS = int('CLUSTER_MATCH_DRIVERS', QUICK ? 1000 : 4000);
const MATCH_RATE = int('CLUSTER_MATCH_RATE', 20);
const MATCH_SECONDS = int('CLUSTER_MATCH_SECONDS', QUICK ? 5 : 15);
const WARMUP_S = QUICK ? 2 : 5;
const MEASURE_S = QUICK ? 5 : 15;
const LAG_MEASURE_S = QUICK ? 15 : 45;
const LAG_PROBE_TIMEOUT_MS = 5_000;
/** The whole run stops by itself. */
const RUN_DEADLINE_MS = Date.now() + (QUICK ? 6 : 14) * 60_000;
const OUT_DIR = join(tmpdir(), `ridehail-bench-cluster-${process.pid}`);
const RESULTS_DIR = join(__dirname, 'results');
/** Drivers by phase, disjoint so no driver's first ping of a phase jumps from the last one's. */
const FLOOD_FROM = 0;
const LAG_FROM = FLOOD_N;
const MATCH_FROM = LAG_FROM + LAG_N;
const PROBE = MATCH_FROM + MATCH_DRIVERS;
const DRIVERS = PROBE + 1;
const RIDERS = MATCH_RATE * MATCH_SECONDS + 1;
/** A probe far from the fleet's 40 km box, so it is the only cab around it. */
const PROBE_AT = { lat: 51.5, lng: 0.75 };
const NODE_TS = ['node', '-r', 'ts-node/register/transpile-only'];
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const log = (message: string) =>
  process.stderr.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

interface Server {
  name: string;
  url: string;
  child: Child;
}

const started: Server[] = [];

/** One server process with its roles, killed only by its pid (stopServer). */
async function startServer(name: string, roles: 'api' | 'worker'): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnChild(
    name,
    [...NODE_TS, '-r', 'tsconfig-paths/register', join(ROOT, 'apps/api/src/main.ts')],
    {
      env: {
        PATH: env.PATH,
        HOME: env.HOME,
        HOST: '127.0.0.1',
        PORT: String(port),
        PROCESS_ROLES: roles,
        DATABASE_URL: BENCH_DB_URL,
        REDIS_URL: BENCH_REDIS_URL,
        JWT_SECRET,
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '5000',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      },
      logFile: join(OUT_DIR, `${name}.log`),
      echoLines: 20,
    },
  );
  const server = { name, url, child };
  started.push(server);
  await waitForHttp200(child, `${url}/health/live`, 120_000);
  log(`${name} (${roles}) pid ${child.pid} on ${url}`);
  return server;
}

async function stopServer(server: Server): Promise<void> {
  const code = await stopChild(server.child, 10_000);
  log(`${server.name} pid ${server.child.pid} stopped (${code})`);
}

interface LoadSpec {
  url: string;
  n: number;
  offset: number;
  label: string;
}

interface LoadRun {
  reports: LoadReport[];
  /** The measure window, epoch ms. */
  fromMs: number;
  toMs: number;
  pids: number[];
}

/**
 * The ingest bench's load generator (bench/ingest/load.ts), one process per spec, on one
 * timeline; `during` runs once the measure window opens (epoch ms of its end given).
 */
async function runLoad(
  specs: LoadSpec[],
  mode: 'flood' | 'cadence',
  measureS: number,
  tokensFile: string,
  onStarted: (pids: number[]) => void,
  during?: (windowEndMs: number) => Promise<void>,
): Promise<LoadRun> {
  const children = specs.map((s) =>
    spawnChild(
      s.label,
      [
        'node',
        '--max-old-space-size=4096',
        '-r',
        'ts-node/register/transpile-only',
        join(ROOT, 'bench/ingest/load.ts'),
        ...['--url', s.url, '--tokens', tokensFile, '--n', String(s.n)],
        ...['--offset', String(s.offset), '--modes', mode, '--warmup', String(WARMUP_S)],
        ...['--measure', String(measureS), '--gap', '0', '--seed', '1', '--go', 'stdin'],
        ...['--label', s.label, '--client', env.CLUSTER_CLIENT ?? 'lean'],
      ],
      { logFile: join(OUT_DIR, `${s.label}.log`), quietStdout: true, echoLines: 6 },
    ),
  );
  const pids = children.map((c) => c.pid);
  onStarted(pids);
  try {
    const connectBudgetMs = 60_000 + Math.max(...specs.map((s) => s.n)) * 30;
    await Promise.all(children.map((c) => waitForLine(c, /^@ready$/, connectBudgetMs)));
    const goMs = Date.now() + 1_000;
    for (const c of children) c.proc.stdin?.write(`go ${goMs}\n`);
    const fromMs = goMs + WARMUP_S * 1000;
    const toMs = fromMs + measureS * 1000;
    if (during) {
      await sleep(fromMs - Date.now());
      await during(toMs);
    }
    const budgetMs = toMs - Date.now() + 20_000;
    const reports = await Promise.all(
      children.map(async (c) => {
        const code = await Promise.race([c.exited, sleep(budgetMs).then(() => 'timeout')]);
        if (code === 'timeout') await stopChild(c, 2_000);
        const json = c.stdout.filter((line) => line.startsWith('{')).pop();
        if (!json) throw new Error(`${c.label} gave no report (exit ${code})`);
        return JSON.parse(json) as LoadReport;
      }),
    );
    return { reports, fromMs, toMs, pids };
  } finally {
    for (const c of children) if (alive(c)) await stopChild(c, 2_000);
  }
}

/**
 * CPU of a changing set of processes (PostgreSQL backends come and go): per pid, the ticks
 * between its first and last sample inside the window, summed.
 */
class PidsCpu {
  private readonly samples: { atMs: number; ticks: Map<number, number> }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: () => number[]) {}

  start(): void {
    const sample = () => {
      const ticks = new Map<number, number>();
      for (const pid of this.pids()) {
        const t = treeReader(() => [pid])().ticks;
        if (t > 0) ticks.set(pid, t); // 0: the backend has exited
      }
      this.samples.push({ atMs: Date.now(), ticks });
    };
    sample();
    this.timer = setInterval(sample, 500);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  window(fromMs: number, toMs: number): { cpuPercent: number } {
    const inside = this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
    if (inside.length < 2) return { cpuPercent: NaN };
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    for (const s of inside) {
      for (const [pid, t] of s.ticks) {
        if (!first.has(pid)) first.set(pid, t);
        last.set(pid, t);
      }
    }
    let ticks = 0;
    for (const [pid, t] of last) ticks += t - (first.get(pid) ?? t);
    const seconds = (inside[inside.length - 1].atMs - inside[0].atMs) / 1000;
    return { cpuPercent: (100 * ticks) / CLOCK_TICKS / seconds };
  }
}

/** CPU of the server processes, the load processes, Redis and the machine, sampled together. */
class Cpu {
  readonly servers = new Map<string, CpuSampler>();
  readonly redis: RedisCpuSampler;
  readonly machine = new CpuSampler(machineReader());
  loadPids: number[] = [];
  pgPids: number[] = [];
  readonly load = new CpuSampler(treeReader(() => this.loadPids));
  readonly pg = new PidsCpu(() => this.pgPids);
  private pgTimer?: NodeJS.Timeout;

  constructor(redis: Redis) {
    this.redis = new RedisCpuSampler(redis);
    for (const s of [this.machine, this.load, this.pg]) s.start();
    this.redis.start();
    const refresh = () =>
      void backendPids().then(
        (pids) => (this.pgPids = pids),
        () => undefined,
      );
    refresh();
    this.pgTimer = setInterval(refresh, 3_000);
  }

  track(server: Server): void {
    const sampler = new CpuSampler(
      treeReader(() => (alive(server.child) ? [server.child.pid] : [])),
    );
    sampler.start();
    this.servers.set(server.name, sampler);
  }

  /** CPU % (100 = one core) of each part over an epoch-ms window. */
  window(fromMs: number, toMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    let ours = 0;
    for (const [name, sampler] of this.servers) {
      const cpu = sampler.window(fromMs, toMs).cpuPercent;
      if (Number.isFinite(cpu)) {
        out[name] = cpu;
        ours += cpu;
      }
    }
    out.load = this.load.window(fromMs, toMs).cpuPercent;
    out.redis = this.redis.window(fromMs, toMs);
    out.postgres = this.pg.window(fromMs, toMs).cpuPercent;
    const machine = this.machine.window(fromMs, toMs).cpuPercent;
    out.other = Math.max(0, machine - ours - out.load - out.redis - out.postgres);
    return out;
  }

  stop(): void {
    clearInterval(this.pgTimer);
    for (const s of [this.machine, this.load, this.pg, ...this.servers.values()]) s.stop();
    this.redis.stop();
  }
}

interface IngestRow {
  round: number;
  apis: number;
  drivers: number;
  connected: number;
  sentPerSecond: number;
  acceptedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: Record<string, number>;
  cpu: Record<string, number>;
  apiCpuPercent: number;
  /** Server CPU (api processes) per accepted ping, microseconds. */
  apiCpuMicrosPerPing: number;
  /** Worker CPU per accepted ping: it applies every ping from the stream (µs). */
  workerCpuMicrosPerPing: number;
  redisCpuMicrosPerPing: number;
}

function ingestRow(round: number, apis: number, run: LoadRun, cpu: Cpu): IngestRow {
  const hist = new Histogram();
  let sent = 0;
  let ok = 0;
  let connected = 0;
  const errors: Record<string, number> = {};
  for (const r of run.reports) {
    connected += r.connect.ok;
    for (const p of r.phases) {
      hist.merge(p.latency);
      sent += p.sentInWindow;
      ok += p.okInWindow;
      for (const [k, v] of Object.entries(p.outcomesInWindow)) {
        if (k !== 'ok') errors[k] = (errors[k] ?? 0) + v;
      }
    }
  }
  const seconds = (run.toMs - run.fromMs) / 1000;
  const c = cpu.window(run.fromMs, run.toMs);
  const apiCpu = Object.entries(c)
    .filter(([k]) => k.startsWith('api-'))
    .reduce((a, [, v]) => a + v, 0);
  const accepted = ok / seconds;
  const per = (percent: number) => ((percent / 100) * 1e6) / accepted;
  return {
    round,
    apis,
    drivers: run.reports.reduce((a, r) => a + r.drivers, 0),
    connected,
    sentPerSecond: sent / seconds,
    acceptedPerSecond: accepted,
    p50Ms: hist.quantileMs(0.5),
    p99Ms: hist.quantileMs(0.99),
    errors,
    cpu: c,
    apiCpuPercent: apiCpu,
    apiCpuMicrosPerPing: per(apiCpu),
    workerCpuMicrosPerPing: per(c.worker ?? NaN),
    redisCpuMicrosPerPing: per(c.redis),
  };
}

interface LagResult {
  drivers: number;
  connected: number;
  cadencePingsPerSecond: number;
  probe: Quantiles & { timeouts: number };
  metrics: Record<string, { count: number; p50Ms: number; p99Ms: number; buckets: Buckets }>;
  cpu: Record<string, number>;
  /** Worker CPU per replicated record (it applies every ping of the city), µs. */
  workerCpuMicrosPerUpdate: number;
  errors: Record<string, number>;
}

/** Emits with an ack; resolves with the ack or an error code. */
function ack(socket: Socket, event: string, body: unknown): Promise<{ ok?: boolean }> {
  return new Promise((done) =>
    socket
      .timeout(5_000)
      .emit(event, body, (err: Error | null, answer?: { ok?: boolean }) =>
        done(err ? { ok: false } : (answer ?? { ok: false })),
      ),
  );
}

/**
 * The probe: its driver on `pingUrl`, a rider polling GET /cabs/nearby on `readUrl` around it
 * until the new position shows; `samples` times, until `untilMs` at the latest.
 */
async function probeLag(
  pingUrl: string,
  readUrl: string,
  driverToken: string,
  riderToken: string,
  samples: number,
  untilMs: number,
): Promise<{ lagsMs: number[]; timeouts: number }> {
  const socket = io(`${pingUrl}/driver`, {
    auth: { token: driverToken },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
  });
  const lagsMs: number[] = [];
  let timeouts = 0;
  try {
    // A server saturated by the fleet may not take a new socket in time: that is a finding
    // (every sample a timeout), not a reason to lose the phase's other figures.
    await new Promise<void>((ok, fail) => {
      socket.once('connect', () => ok());
      socket.once('connect_error', fail);
    });
    if (!(await ack(socket, 'driver:status', { status: 'AVAILABLE' })).ok) {
      throw new Error('probe driver could not go AVAILABLE');
    }
    let lat = PROBE_AT.lat;
    const query = `lat=${PROBE_AT.lat}&lng=${PROBE_AT.lng}&radius=2000`;
    for (let k = 0; k < samples && Date.now() < untilMs - LAG_PROBE_TIMEOUT_MS; k++) {
      lat = Math.round((lat + (k % 2 === 0 ? 0.0002 : -0.0002)) * 1e6) / 1e6; // ~22 m
      const sentAt = performance.now();
      const answer = await ack(socket, 'driver:location', {
        lat,
        lng: PROBE_AT.lng,
        ts: Date.now(),
      });
      if (!answer.ok) {
        timeouts++;
        await sleep(500);
        continue;
      }
      let seen = false;
      while (performance.now() - sentAt < LAG_PROBE_TIMEOUT_MS) {
        const res = await httpJson('GET', `${readUrl}/cabs/nearby?${query}`, riderToken);
        const cabs = (res.body as { cabs?: { location: { lat: number } }[] } | null)?.cabs ?? [];
        if (cabs.some((c) => Math.abs(c.location.lat - lat) < 1e-7)) {
          lagsMs.push(performance.now() - sentAt);
          seen = true;
          break;
        }
        await sleep(5);
      }
      if (!seen) timeouts++;
      // Next sample at a random phase of the servers' flush timer, >= 250 ms after the last ping.
      await sleep(250 + Math.random() * 250);
    }
  } catch (error) {
    process.stderr.write(`[cluster] lag probe stopped: ${String(error)}\n`);
    timeouts += Math.max(0, samples - lagsMs.length - timeouts);
  } finally {
    socket.close();
  }
  return { lagsMs, timeouts };
}

interface MatchResult {
  drivers: number;
  available: number;
  ratePerSecond: number;
  sent: number;
  created: number;
  offered: number;
  failed: Record<string, number>;
  /** POST /trips sent (api-1) -> trip:offer received on the driver socket (api-2). */
  endToEnd: Quantiles;
  /** trips.created_at -> first trip_offers.offered_at (PostgreSQL clock). */
  server: Quantiles;
  http: Quantiles;
  cpuBaseline: Record<string, number>;
  cpuRequests: Record<string, number>;
  /** (worker CPU during requests - during pings only) / trips per second, ms. */
  workerCpuMsPerMatch: number;
  postgresCpuMsPerMatch: number;
  maxSendLagMs: number;
}

async function runMatch(
  riderUrl: string,
  driverUrl: string,
  driverTokens: string,
  riderTokens: string,
  cpu: Cpu,
): Promise<MatchResult> {
  const child = spawnChild(
    'match',
    [
      ...NODE_TS,
      '-r',
      'tsconfig-paths/register',
      join(ROOT, 'bench/cluster/match.ts'),
      ...['--driver-url', driverUrl, '--rider-url', riderUrl],
      ...['--driver-tokens', driverTokens, '--rider-tokens', riderTokens],
      ...['--drivers', String(MATCH_DRIVERS), '--offset', String(MATCH_FROM)],
      ...['--rate', String(MATCH_RATE), '--seconds', String(MATCH_SECONDS)],
      ...['--baseline', '5', '--go', 'stdin'],
    ],
    {
      logFile: join(OUT_DIR, 'match.log'),
      quietStdout: true,
      echoLines: 10,
      env: { ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    },
  );
  cpu.loadPids = [child.pid];
  try {
    await waitForLine(child, /^@ready$/, 60_000 + MATCH_DRIVERS * 10);
    // Let the first pings land everywhere before the clock starts.
    await sleep(2_000);
    child.proc.stdin?.write(`go ${Date.now() + 500}\n`);
    const budgetMs = (10 + MATCH_SECONDS + 30) * 1000;
    const code = await Promise.race([child.exited, sleep(budgetMs).then(() => 'timeout')]);
    if (code === 'timeout') await stopChild(child, 2_000);
    const json = child.stdout.filter((line) => line.startsWith('{')).pop();
    if (!json) throw new Error(`match gave no report (exit ${code})`);
    const r = JSON.parse(json) as MatchReport;
    const offered = r.trips.filter((t) => t.offerMs !== null);
    const server = (await offerLatencies(r.trips.map((t) => t.tripId))).filter(
      (v): v is number => v !== null,
    );
    // CPU: the first 2 s of requests are ramp-up; offers are made within ~100 ms of a request.
    const base = cpu.window(r.baseline.fromMs + 500, r.baseline.toMs);
    const reqs = cpu.window(r.requests.fromMs + 1_000, r.requests.toMs);
    const perMatch = (k: string) =>
      (((reqs[k] ?? NaN) - (base[k] ?? NaN)) / 100 / MATCH_RATE) * 1000;
    return {
      drivers: r.drivers.connected,
      available: r.drivers.available,
      ratePerSecond: MATCH_RATE,
      sent: r.requests.sent,
      created: r.requests.created,
      offered: offered.length,
      failed: r.requests.failed,
      endToEnd: quantiles(offered.map((t) => t.offerMs as number)),
      server: quantiles(server),
      http: quantiles(r.trips.map((t) => t.httpMs)),
      cpuBaseline: base,
      cpuRequests: reqs,
      workerCpuMsPerMatch: perMatch('worker'),
      postgresCpuMsPerMatch: perMatch('postgres'),
      maxSendLagMs: r.maxSendLagMs,
    };
  } finally {
    if (alive(child)) await stopChild(child, 2_000);
    cpu.loadPids = [];
  }
}

const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function render(
  ingest: IngestRow[],
  lag: LagResult | undefined,
  match: MatchResult | undefined,
  streams: StreamRow[],
  problems: string[],
): string {
  const out: string[] = ['', 'Cluster benchmark (2 shared cores; CPU 100 % = one core)', ''];
  out.push(
    `1. Ping ingest at saturation (flood: each driver pings 210 ms after its previous ack), ` +
      `${FLOOD_N} drivers in 2 load processes, ${MEASURE_S} s windows`,
    '',
  );
  out.push(
    table(
      [
        'api procs',
        'round',
        'drivers up',
        'accepted/s',
        'ack p50 ms',
        'ack p99 ms',
        'errors',
        'api CPU %',
        'worker CPU %',
        'redis CPU %',
        'pg CPU %',
        'load CPU %',
        'other CPU %',
        'api µs/ping',
        'worker µs/ping',
      ],
      ingest.map((r) => [
        String(r.apis),
        String(r.round),
        String(r.connected),
        f(r.acceptedPerSecond),
        f(r.p50Ms, 1),
        f(r.p99Ms, 1),
        Object.entries(r.errors)
          .map(([k, v]) => `${k}:${v}`)
          .join(' ') || '0',
        f(r.apiCpuPercent),
        f(r.cpu.worker ?? NaN),
        f(r.cpu.redis),
        f(r.cpu.postgres),
        f(r.cpu.load),
        f(r.cpu.other),
        f(r.apiCpuMicrosPerPing, 1),
        f(r.workerCpuMicrosPerPing, 1),
      ]),
    ),
  );
  const med = (apis: number, pick: (r: IngestRow) => number) =>
    median(ingest.filter((r) => r.apis === apis).map(pick));
  out.push('');
  out.push(
    table(
      ['median of rounds', '1 api', '2 api', '2 api ÷ 1 api'],
      (
        [
          ['accepted/s', (r: IngestRow) => r.acceptedPerSecond, 0],
          ['ack p99 ms', (r: IngestRow) => r.p99Ms, 1],
          ['api CPU %', (r: IngestRow) => r.apiCpuPercent, 0],
          ['api CPU µs per ping', (r: IngestRow) => r.apiCpuMicrosPerPing, 1],
        ] as [string, (r: IngestRow) => number, number][]
      ).map(([name, pick, d]) => {
        const one = med(1, pick);
        const two = med(2, pick);
        return [name, f(one, d), f(two, d), f(two / one, 2)];
      }),
    ),
  );
  if (lag) {
    out.push(
      '',
      `2. Replication lag: ${lag.connected} drivers (of ${lag.drivers}) pinging every 3 s on 2 api ` +
        `processes (${f(lag.cadencePingsPerSecond)} pings/s accepted) + 1 worker; target p99 < 1000 ms`,
      '',
    );
    out.push(
      table(
        ['measured by', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'timeouts'],
        [
          [
            'probe: ping on api-1 -> GET /cabs/nearby on api-2',
            String(lag.probe.n),
            f(lag.probe.p50, 1),
            f(lag.probe.p90, 1),
            f(lag.probe.p99, 1),
            f(lag.probe.max, 1),
            String(lag.probe.timeouts),
          ],
          ...Object.entries(lag.metrics).map(([name, m]) => [
            `${name} /metrics ridehail_location_replication_lag_seconds`,
            String(m.count),
            f(m.p50Ms, 1),
            '-',
            f(m.p99Ms, 1),
            '-',
            '-',
          ]),
        ],
      ),
    );
    out.push(
      '',
      `   CPU %: ${Object.entries(lag.cpu)
        .map(([k, v]) => `${k} ${f(v)}`)
        .join(', ')}; ` +
        `worker µs per replicated update ${f(lag.workerCpuMicrosPerUpdate, 1)}; ` +
        `errors ${JSON.stringify(lag.errors)}`,
    );
  }
  if (match) {
    out.push(
      '',
      `3. Request to first offer: rider on api-1, ${match.available} drivers on api-2 (3 s pings), ` +
        `matching on the worker, ${match.ratePerSecond} requests/s for ${MATCH_SECONDS} s; ` +
        `${match.created}/${match.sent} created, ${match.offered} offered`,
      '',
    );
    out.push(
      table(
        ['measured', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        (
          [
            ['POST /trips sent (api-1) -> trip:offer on driver socket (api-2)', match.endToEnd],
            ['trips.created_at -> first offered_at (PostgreSQL)', match.server],
            ['POST /trips http round trip', match.http],
          ] as [string, Quantiles][]
        ).map(([name, q]) => [
          name,
          String(q.n),
          f(q.p50, 1),
          f(q.p90, 1),
          f(q.p99, 1),
          f(q.max, 1),
        ]),
      ),
    );
    out.push(
      '',
      `   worker CPU ${f(match.cpuBaseline.worker ?? NaN)} % pings only -> ${f(match.cpuRequests.worker ?? NaN)} % with requests: ` +
        `${f(match.workerCpuMsPerMatch, 2)} ms per match; PostgreSQL ${f(match.postgresCpuMsPerMatch, 2)} ms per match; ` +
        `failed ${JSON.stringify(match.failed)}`,
    );
  }
  if (streams.length > 0) {
    out.push('', '4. Redis Streams on one Redis core (rates ÷ Redis CPU share)', '');
    out.push(
      table(
        [
          'op',
          'records/entry',
          'entry B',
          'entries/s',
          'MB/s',
          'redis CPU %',
          'entries/core-s',
          'records/core-s',
          'MB/core-s',
        ],
        streams.map((s) => [
          s.op,
          String(s.recordsPerEntry),
          String(s.entryBytes),
          f(s.entriesPerSecond),
          f(s.megabytesPerSecond, 1),
          f(s.redisCpuPercent),
          f(s.entriesPerCoreSecond),
          f(s.recordsPerCoreSecond),
          f(s.megabytesPerCoreSecond, 1),
        ]),
      ),
    );
  }
  if (problems.length > 0) out.push('', 'Notes', ...problems.map((p) => `  ${p}`));
  out.push('', `Logs: ${OUT_DIR}`, '');
  return out.join('\n');
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  log(
    `logs in ${OUT_DIR}; flood ${FLOOD_N} drivers x ${ROUNDS} rounds, lag ${LAG_N} drivers, ` +
      `match ${MATCH_DRIVERS} drivers at ${MATCH_RATE}/s`,
  );
  log('resetting database ridehail_bench_cluster (postgis) and redis db 13');
  await resetServices();
  const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 2 });
  const cpu = new Cpu(redis);
  const problems: string[] = [];
  const ingest: IngestRow[] = [];
  let lag: LagResult | undefined;
  let match: MatchResult | undefined;
  let streams: StreamRow[] = [];
  const startedAt = new Date().toISOString();
  try {
    // The first process runs the migrations.
    const worker = await startServer('worker', 'worker');
    cpu.track(worker);
    log(`seeding ${DRIVERS} drivers and ${RIDERS} riders, minting tokens`);
    const driverTokens = join(OUT_DIR, 'driver-tokens.json');
    const riderTokens = join(OUT_DIR, 'rider-tokens.json');
    writeFileSync(driverTokens, JSON.stringify(mintTokens(await seedDrivers(DRIVERS), 'driver')));
    const riders = mintTokens(await seedRiders(RIDERS), 'rider');
    writeFileSync(riderTokens, JSON.stringify(riders.slice(0, RIDERS - 1)));
    const probeRider = riders[RIDERS - 1];

    const api1 = await startServer('api-1', 'api');
    cpu.track(api1);
    let api2: Server | undefined;
    const half = Math.floor(FLOOD_N / 2);
    for (let round = 1; round <= ROUNDS && Date.now() < RUN_DEADLINE_MS; round++) {
      for (const apis of [1, 2]) {
        if (apis === 2 && !api2) {
          api2 = await startServer('api-2', 'api');
          cpu.track(api2);
        }
        const second = apis === 2 && api2 ? api2.url : api1.url;
        log(`ingest round ${round}, ${apis} api process(es): flood with ${FLOOD_N} drivers`);
        const run = await runLoad(
          [
            { url: api1.url, n: half, offset: FLOOD_FROM, label: 'load1' },
            { url: second, n: FLOOD_N - half, offset: FLOOD_FROM + half, label: 'load2' },
          ],
          'flood',
          MEASURE_S,
          driverTokens,
          (pids) => (cpu.loadPids = pids),
        ).catch((error: Error) => {
          problems.push(`ingest round ${round}, ${apis} api: ${error.message}`);
          return undefined;
        });
        if (!run) continue;
        const row = ingestRow(round, apis, run, cpu);
        ingest.push(row);
        log(
          `  ${apis} api: ${f(row.acceptedPerSecond)} accepted/s, ack p99 ${f(row.p99Ms, 1)} ms, ` +
            `api CPU ${f(row.apiCpuPercent)} %`,
        );
        if (apis === 2 && api2 && round < ROUNDS) {
          await stopServer(api2);
          api2 = undefined;
        }
      }
    }
    if (!api2) {
      api2 = await startServer('api-2', 'api');
      cpu.track(api2);
    }

    log(`replication lag: ${LAG_N} drivers at a 3 s cadence on 2 api processes`);
    const lagHalf = Math.floor(LAG_N / 2);
    const readers = { 'api-2': api2.url, worker: worker.url };
    const before: Record<string, Buckets> = {};
    const after: Record<string, Buckets> = {};
    let probe = { lagsMs: [] as number[], timeouts: 0 };
    const apiB = api2;
    const lagRun = await runLoad(
      [
        { url: api1.url, n: lagHalf, offset: LAG_FROM, label: 'load1' },
        { url: apiB.url, n: LAG_N - lagHalf, offset: LAG_FROM + lagHalf, label: 'load2' },
      ],
      'cadence',
      LAG_MEASURE_S,
      driverTokens,
      (pids) => (cpu.loadPids = pids),
      async (endMs) => {
        for (const [name, url] of Object.entries(readers)) {
          before[name] = await scrapeHistogram(url, 'ridehail_location_replication_lag_seconds');
        }
        const tokens = JSON.parse(readFileSync(driverTokens, 'utf8')) as string[];
        probe = await probeLag(api1.url, apiB.url, tokens[PROBE], probeRider, LAG_SAMPLES, endMs);
        await sleep(Math.max(0, endMs - Date.now()));
        for (const [name, url] of Object.entries(readers)) {
          after[name] = await scrapeHistogram(url, 'ridehail_location_replication_lag_seconds');
        }
      },
    );
    const lagRow = ingestRow(0, 2, lagRun, cpu);
    const metrics: LagResult['metrics'] = {};
    for (const name of Object.keys(readers)) {
      const d = diffBuckets(after[name] ?? [], before[name] ?? []);
      metrics[name] = {
        count: histogramTotal(d),
        p50Ms: histogramQuantileMs(d, 0.5),
        p99Ms: histogramQuantileMs(d, 0.99),
        buckets: d,
      };
    }
    lag = {
      drivers: LAG_N,
      connected: lagRow.connected,
      cadencePingsPerSecond: lagRow.acceptedPerSecond,
      probe: { ...quantiles(probe.lagsMs), timeouts: probe.timeouts },
      metrics,
      cpu: lagRow.cpu,
      workerCpuMicrosPerUpdate: lagRow.workerCpuMicrosPerPing,
      errors: lagRow.errors,
    };
    log(
      `  probe p50 ${f(lag.probe.p50, 1)} ms, p99 ${f(lag.probe.p99, 1)} ms ` +
        `(${lag.probe.n} samples, ${lag.probe.timeouts} timeouts)`,
    );

    if (Date.now() < RUN_DEADLINE_MS) {
      log(`request to first offer: riders on api-1, ${MATCH_DRIVERS} drivers on api-2`);
      match = await runMatch(api1.url, apiB.url, driverTokens, riderTokens, cpu);
      log(`  end to end p50 ${f(match.endToEnd.p50, 1)} ms, p99 ${f(match.endToEnd.p99, 1)} ms`);
    } else problems.push('request to first offer skipped: run deadline reached');

    for (const s of started) {
      if (!alive(s.child))
        problems.push(`${s.name} exited during the run (${await s.child.exited})`);
    }
  } catch (error) {
    problems.push(`run failed: ${(error as Error).message}`);
    log(`FAILED: ${(error as Error).stack ?? String(error)}`);
  } finally {
    for (const s of [...started].reverse()) await stopServer(s);
    cpu.stop();
  }
  try {
    log('Redis Streams throughput (servers stopped)');
    streams = await streamThroughput(QUICK ? 1 : 3);
  } catch (error) {
    problems.push(`streams failed: ${(error as Error).message}`);
  }
  redis.disconnect();
  const config = {
    QUICK,
    LAG_N,
    FLOOD_N,
    ROUNDS,
    LAG_SAMPLES,
    MATCH_DRIVERS,
    MATCH_RATE,
    MATCH_SECONDS,
    WARMUP_S,
    MEASURE_S,
    LAG_MEASURE_S,
  };
  const results = {
    startedAt,
    endedAt: new Date().toISOString(),
    config,
    ingest,
    lag,
    match,
    streams,
    problems,
  };
  const json = JSON.stringify(results, null, 1);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  writeFileSync(join(RESULTS_DIR, `cluster-${startedAt.replace(/[:.]/g, '-')}.json`), json);
  process.stdout.write(render(ingest, lag, match, streams, problems));
  process.stdout.write(`Raw numbers: ${join(RESULTS_DIR, 'latest.json')}\n`);
}

process.on('SIGINT', () => {
  log('SIGINT: stopping the processes this run started');
  void Promise.all(started.map((s) => stopChild(s.child, 3_000))).then(() => process.exit(130));
});

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    void Promise.all(started.map((s) => stopChild(s.child, 3_000))).then(() => process.exit(1));
  },
);
