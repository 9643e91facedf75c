/**
 * What the dashboard feed costs, with N drivers (default 20,000) pinging every 3 s over real
 * sockets (the load generator of bench/ingest): server CPU with no admin socket (feed off), with
 * one admin socket (feed on), bytes per second the `/admin` namespace sends to that socket, and
 * the page's frame time in Debian's Chromium while the city moves. Windows alternate off / on /
 * off / page so drift on a shared box shows. Bounded: every wait has a deadline, the whole run
 * stops itself after RUN_DEADLINE_MS, and every child is stopped by pid.
 *
 * `flock /tmp/heavy.lock timeout 900 node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/dashboard/measure.ts`
 * Env: DASH_N (drivers), DASH_WINDOW (seconds per window, default 20).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';
import { CabType, DriverStatus } from '@app/contracts';
import { LiveDrivers } from '../../apps/api/src/modules/locations/live-drivers';
import { DriverFeedEncoder } from '../../apps/api/src/modules/admin/driver-feed.encoder';
import { mulberry32, progress, sleep } from '../ingest/common';
import {
  Child,
  CpuSampler,
  machineBusyPercent,
  machineReader,
  spawnChild,
  stopChild,
  treeReader,
  waitForHttp200,
  waitForLine,
} from '../ingest/proc';
import {
  BENCH_DB_URL,
  BENCH_REDIS_URL,
  flushRedis,
  mintDriverTokens,
  resetDatabase,
  seedDrivers,
} from '../ingest/seed';

const ROOT = resolve(__dirname, '../..');
const N = Number(process.env.DASH_N ?? 20_000);
const WINDOW_S = Number(process.env.DASH_WINDOW ?? 20);
const WARMUP_S = 8;
const WINDOWS = [
  'feed off',
  'feed on (1 admin socket)',
  'feed off',
  'feed on (1 admin socket)',
  'feed off',
  'feed on (Chromium page)',
];
const JWT_SECRET = 'bench-dashboard-jwt-secret-not-for-prod-4';
const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };
const RUN_DEADLINE_MS = Date.now() + 8 * 60_000;
const OUT_DIR = join(tmpdir(), `ridehail-bench-dashboard-${process.pid}`);
const NODE_TS = ['node', '-r', 'ts-node/register/transpile-only'];

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

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...ADMIN, role: 'admin' }),
  });
  if (!res.ok) throw new Error(`admin login: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * The feed's own work, in process and without I/O: one batch over N drivers of whom 1/12 moved
 * (a 3 s ping cadence seen by batches every 250 ms), as the server computes it every tick.
 */
function encoderCost(n: number): string {
  const random = mulberry32(7);
  const live = new LiveDrivers();
  const drivers = Array.from({ length: n }, (_, i) => {
    const d = live.getOrCreate(`driver-${i}`, CabType.ECONOMY);
    d.status = DriverStatus.AVAILABLE;
    d.lat = 51.3 + random() * 0.4;
    d.lng = -0.4 + random() * 0.6;
    d.lastPingAtMs = 0;
    return d;
  });
  const encoder = new DriverFeedEncoder(15_000);
  let nowMs = 1_000;
  encoder.next(live.online(), nowMs);
  const times: number[] = [];
  let bytes = 0;
  for (let round = 0; round < 200; round++) {
    for (let i = round % 12; i < n; i += 12) {
      drivers[i].lat += 0.0002;
      drivers[i].lastPingAtMs = nowMs;
    }
    nowMs += 250;
    const started = performance.now();
    const batch = encoder.next(live.online(), nowMs);
    times.push(performance.now() - started);
    bytes += batch.records.byteLength;
  }
  const ms = quantile(times, 0.5);
  return (
    `encoder, ${n} drivers, 1/12 moved per batch: ${ms.toFixed(2)} ms per batch (median of 200, ` +
    `p95 ${quantile(times, 0.95).toFixed(2)}), ${((ms * 4) / 10).toFixed(1)} % of a core at 4 batches/s, ` +
    `${(bytes / times.length / 1024).toFixed(1)} KiB of records per batch`
  );
}

async function main(): Promise<void> {
  const encoderLine = encoderCost(N);
  progress('dash', encoderLine);
  mkdirSync(OUT_DIR, { recursive: true });
  const children: Child[] = [];
  const guard = setTimeout(() => {
    progress('dash', 'run deadline passed: stopping');
    void Promise.all(children.map((c) => stopChild(c, 2_000))).then(() => process.exit(3));
  }, RUN_DEADLINE_MS - Date.now());
  guard.unref();
  try {
    const quietUntil = Date.now() + 60_000;
    let busy = await machineBusyPercent(1_000);
    while (busy > 40 && Date.now() < quietUntil) {
      progress('dash', `machine busy (${busy.toFixed(0)} % CPU), waiting to start`);
      busy = await machineBusyPercent(3_000);
    }
    progress('dash', `machine at ${busy.toFixed(0)} % CPU before the run`);
    await resetDatabase();
    await flushRedis();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawnChild(
      'server',
      [...NODE_TS, '-r', 'tsconfig-paths/register', join(ROOT, 'apps/api/src/main.ts')],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: BENCH_DB_URL,
          REDIS_URL: BENCH_REDIS_URL,
          JWT_SECRET,
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          LOG_LEVEL: 'warn',
          SHUTDOWN_GRACE_MS: '5000',
        },
        logFile: join(OUT_DIR, 'server.log'),
        echoLines: 20,
      },
    );
    children.push(server);
    await waitForHttp200(server, `${url}/health/ready`, 120_000);
    // Before the load: a login (argon2) on a saturated server could time out.
    const token = await login(url);
    const ids = await seedDrivers(N);
    const tokensFile = join(OUT_DIR, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify(mintDriverTokens(ids, JWT_SECRET)));
    const measureS = WINDOWS.length * (WINDOW_S + 8) + 60;
    const clients = Math.ceil(N / 10_000);
    const perClient = Math.ceil(N / clients);
    const loads: Child[] = [];
    for (let c = 0; c < clients; c++) {
      const count = Math.min(perClient, N - c * perClient);
      const load = spawnChild(
        `load${c + 1}`,
        [
          'node',
          '--max-old-space-size=4096',
          '-r',
          'ts-node/register/transpile-only',
          join(ROOT, 'bench/ingest/load.ts'),
          ...['--url', url, '--tokens', tokensFile, '--n', String(count)],
          ...['--offset', String(c * perClient), '--modes', 'cadence'],
          ...['--warmup', String(WARMUP_S), '--measure', String(measureS), '--seed', String(c + 1)],
          ...['--go', 'stdin', '--label', `load${c + 1}`],
        ],
        { logFile: join(OUT_DIR, `load${c + 1}.log`), quietStdout: true },
      );
      loads.push(load);
      children.push(load);
    }
    await Promise.all(loads.map((l) => waitForLine(l, /^@ready$/, 30_000 + N * 10)));
    const goMs = Date.now() + 1_000;
    for (const l of loads) l.proc.stdin?.write(`go ${goMs}\n`);
    const cpu = new CpuSampler(treeReader(() => [server.pid]));
    const ours = new CpuSampler(treeReader(() => [server.pid, ...loads.map((l) => l.pid)]));
    const machine = new CpuSampler(machineReader());
    for (const sampler of [cpu, ours, machine]) sampler.start(250);
    /** CPU of everything else on the box (other sessions, Chromium, ...) in a window. */
    const others = (from: number, to: number) =>
      machine.window(from, to).cpuPercent - ours.window(from, to).cpuPercent;
    await sleep(goMs - Date.now() + WARMUP_S * 1000);

    const rows: string[] = [];
    const results: {
      name: string;
      cpu: number;
      other: number;
      bytesPerSecond?: number;
      extra?: string;
    }[] = [];
    for (const name of WINDOWS) {
      progress('dash', `window: ${name}`);
      if (name === 'feed off') {
        await sleep(2_000);
        const from = Date.now();
        await sleep(WINDOW_S * 1000);
        results.push({
          name,
          cpu: cpu.window(from, Date.now()).cpuPercent,
          other: others(from, Date.now()),
        });
      } else if (name.includes('1 admin socket')) {
        let bytes = 0;
        let batches = 0;
        let firstBytes = 0;
        const socket = io(`${url}/admin`, { auth: { token }, transports: ['websocket'] });
        socket.on('admin:drivers', () => (batches += 1));
        socket.io.on('open', () => {
          socket.io.engine.on('packet', (p: { data?: unknown }) => {
            const d = p.data;
            const size =
              typeof d === 'string'
                ? Buffer.byteLength(d)
                : d instanceof ArrayBuffer || ArrayBuffer.isView(d)
                  ? d.byteLength
                  : 0;
            bytes += size;
            if (batches === 0) firstBytes += size;
          });
        });
        socket.on('connect_error', (e) => progress('dash', `admin socket: ${e.message}`));
        const firstBatch = Date.now() + 20_000;
        while (batches === 0 && Date.now() < firstBatch) await sleep(100);
        if (batches === 0) {
          // A saturated server may not even answer the handshake: say so, and go on.
          results.push({ name, cpu: NaN, other: NaN, extra: 'no batch within 20 s of connecting' });
          socket.close();
          continue;
        }
        await sleep(1_000);
        const fromBytes = bytes;
        const fromBatches = batches;
        const from = Date.now();
        await sleep(WINDOW_S * 1000);
        const seconds = (Date.now() - from) / 1000;
        results.push({
          name,
          cpu: cpu.window(from, Date.now()).cpuPercent,
          other: others(from, Date.now()),
          bytesPerSecond: (bytes - fromBytes) / seconds,
          extra: `${((batches - fromBatches) / seconds).toFixed(1)} batches/s, snapshot at connect ${(firstBytes / 1024).toFixed(0)} KiB`,
        });
        socket.close();
      } else {
        const browser = await chromium.launch({
          executablePath: '/usr/bin/chromium',
          args: ['--no-sandbox'],
        });
        try {
          const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
          await page.goto(`${url}/dashboard/`);
          await page.fill('#email', ADMIN.email);
          await page.fill('#password', ADMIN.password);
          await page.click('#login-submit');
          await page.waitForFunction(
            (n) =>
              (globalThis as unknown as { __dashboard: { driversOnMap: number } }).__dashboard
                .driversOnMap >= n,
            Math.floor(N * 0.95),
            { timeout: 30_000 },
          );
          await page.click('#fit');
          await sleep(2_000);
          type Frame = { frames: number; recentFrameMs: number[]; driversDrawn: number };
          const frame = () =>
            page.evaluate(
              () => (globalThis as unknown as { __dashboard: { frame: Frame } }).__dashboard.frame,
            );
          const before = await frame();
          const from = Date.now();
          await sleep(WINDOW_S * 1000);
          const after = await frame();
          const seconds = (Date.now() - from) / 1000;
          const recent = after.recentFrameMs.slice(-(after.frames - before.frames));
          results.push({
            name,
            cpu: cpu.window(from, Date.now()).cpuPercent,
            other: others(from, Date.now()),
            extra:
              `frame ms p50 ${quantile(recent, 0.5).toFixed(1)} p95 ${quantile(recent, 0.95).toFixed(1)} ` +
              `max ${Math.max(...recent).toFixed(1)} over ${recent.length} frames ` +
              `(${((after.frames - before.frames) / seconds).toFixed(1)}/s), ${after.driversDrawn} dots drawn`,
          });
          await page.screenshot({ path: join(OUT_DIR, 'dashboard-20k.png') });
        } finally {
          await browser.close();
        }
      }
    }
    for (const sampler of [cpu, ours, machine]) sampler.stop();
    for (const l of loads) l.proc.stdin?.end();
    await Promise.all(loads.map((l) => stopChild(l, 5_000)));
    await stopChild(server, 10_000);
    rows.push(encoderLine);
    rows.push(
      `N = ${N} drivers pinging every 3 s, windows of ${WINDOW_S} s (server CPU: 100 = one core)`,
    );
    for (const r of results) {
      const kbs =
        r.bytesPerSecond === undefined
          ? ''
          : ` | ${(r.bytesPerSecond / 1024).toFixed(1)} KiB/s to the admin socket`;
      rows.push(
        `${r.name.padEnd(26)} | server CPU ${r.cpu.toFixed(1)} % | others ${r.other.toFixed(0)} %${kbs}${r.extra ? ` | ${r.extra}` : ''}`,
      );
    }
    const off = results.filter((r) => r.name === 'feed off').map((r) => r.cpu);
    const on = results
      .filter((r) => r.name !== 'feed off' && !Number.isNaN(r.cpu))
      .map((r) => r.cpu);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push(`feed cost: ${(mean(on) - mean(off)).toFixed(1)} % of a core (mean on - mean off)`);
    rows.push(`logs and a screenshot in ${OUT_DIR}`);
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    await Promise.all(children.map((c) => stopChild(c, 5_000)));
    clearTimeout(guard);
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
