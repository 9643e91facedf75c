/**
 * Driver-ping ingest benchmark (`npm run bench:ingest`). For each target (our server, then a
 * bare socket.io ceiling server) and each N: start the server, seed drivers and mint tokens
 * (ours only), run the load process(es) in cadence then flood mode on one timeline, sample the
 * server's CPU and RSS in each measure window, stop the server. Prints the results table, the
 * ratios ours / ceiling and the verdict on stdout; progress goes to stderr.
 *
 * Env: INGEST_N=5000 (one N), INGEST_QUICK=1 (N=500, short windows), INGEST_TARGETS=ours,ceiling,
 * INGEST_CLIENTS (load processes per run; default one per 10k drivers), INGEST_WARMUP / INGEST_MEASURE (seconds),
 * INGEST_CLIENT=lean|socket.io (the load generator's client, see bench/support/lean-socket.ts; default lean),
 * INGEST_OURS_NODE_FLAGS (extra node flags for our server only, after SERVER_NODE_FLAGS, for an A/B of
 * V8 settings; a later flag wins, so `--max-semi-space-size=16` measures Node's default),
 * INGEST_CEILING_NODE_FLAGS (extra node flags for the ceiling only),
 * INGEST_OURS_ENV (space-separated KEY=VALUE settings for our server only, for an A/B of its config).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../apps/api/src/node-flags';
import { LoadReport, Mode, MODES, progress } from './common';
import { hotFunctions, newestProfile, ProbeReader, requestWindows } from './profile';
import {
  alive,
  Child,
  childFdLimit,
  describeTree,
  spawnChild,
  stopChild,
  CpuSampler,
  machineBusyPercent,
  machineReader,
  treeReader,
  treeRssMb,
  waitForHttp200,
  waitForLine,
} from './proc';
import {
  hotTables,
  notes,
  ratiosTable,
  reportFailures,
  resultsTable,
  Row,
  rowsFromReports,
  RunProblem,
  Target,
  verdict,
} from './report';
import {
  BENCH_DB_URL,
  BENCH_REDIS_URL,
  flushRedis,
  mintDriverTokens,
  resetDatabase,
  seedDrivers,
} from './seed';

const ROOT = resolve(__dirname, '../..');
const QUICK = process.env.INGEST_QUICK === '1';
const NS = QUICK ? [500] : process.env.INGEST_N ? [Number(process.env.INGEST_N)] : [5000, 20000];
const TARGETS = (process.env.INGEST_TARGETS ?? 'ours,ceiling').split(',') as Target[];
/** Load processes per run: one per 10k sockets (a process may hold at most ~20k descriptors). */
const CLIENT = process.env.INGEST_CLIENT ?? 'lean';
const clientsFor = (n: number) => Number(process.env.INGEST_CLIENTS ?? Math.ceil(n / 10_000));
const WARMUP_S = Number(process.env.INGEST_WARMUP ?? (QUICK ? 2 : 5));
const MEASURE_S = Number(process.env.INGEST_MEASURE ?? (QUICK ? 4 : 15));
const GAP_S = 2;
const PHASES: Mode[] = [...MODES];
/** 40 characters, used only against the throwaway bench database. */
const JWT_SECRET = 'bench-ingest-jwt-secret-not-for-prod-40c';
const SERVER_READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
/** The whole run stops by itself: full about 10 minutes, quick about 1. */
const RUN_DEADLINE_MS = Date.now() + (QUICK ? 150_000 : 15 * 60_000);
/** Other engineers share this box: wait (bounded) for it to be quiet before each run. */
const QUIET_BUSY_PERCENT = 40;
const QUIET_WAIT_MS = QUICK ? 10_000 : 45_000;
const OUT_DIR = join(tmpdir(), `ridehail-bench-ingest-${process.pid}`);

/** Both servers run with the probe and a coarse CPU profile (2 ms: ~1 % overhead), alike. */
const PROFILE = process.env.INGEST_PROFILE !== '0';
const PROBE = join(ROOT, 'bench/ingest/probe.ts');
/** Extra node flags for our server only (an A/B of V8 settings, e.g. `--max-semi-space-size=64`). */
const OURS_NODE_FLAGS = (process.env.INGEST_OURS_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** Extra node flags for the ceiling only (`--trace-gc`, say, to compare with ours'). */
const CEILING_NODE_FLAGS = (process.env.INGEST_CEILING_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** `INGEST_OURS_ENV='LOCATION_FLUSH_INTERVAL_MS=1000 LOG_LEVEL=info'`: settings of an A/B. */
const OURS_ENV = Object.fromEntries(
  (process.env.INGEST_OURS_ENV ?? '')
    .split(' ')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

interface Server {
  child: Child;
  probe: ProbeReader;
  profileDir: string;
}

function nodeCommand(profileDir: string): string[] {
  const profile = PROFILE
    ? ['--cpu-prof', '--cpu-prof-interval', '2000', '--cpu-prof-dir', profileDir]
    : [];
  return ['node', ...profile, '-r', 'ts-node/register/transpile-only', '-r', PROBE];
}

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

async function startServer(target: Target, port: number, n: number): Promise<Server> {
  const logFile = join(OUT_DIR, `${target}-${n}-server.log`);
  const profileDir = join(OUT_DIR, `profile-${target}-${n}`);
  mkdirSync(profileDir, { recursive: true });
  if (target === 'ceiling') {
    const ceiling = join(ROOT, 'bench/ingest/ceiling-server.ts');
    const [node, ...flags] = nodeCommand(profileDir);
    const command = [node, ...CEILING_NODE_FLAGS, ...flags, ceiling, String(port)];
    const child = spawnChild('ceiling', command, {
      logFile,
    });
    const probe = new ProbeReader(child);
    await waitForLine(child, /^ready/, 30_000);
    return { child, probe, profileDir };
  }
  await flushRedis();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: BENCH_DB_URL,
    REDIS_URL: BENCH_REDIS_URL,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '5000',
    ...OURS_ENV,
  };
  const main = join(ROOT, 'apps/api/src/main.ts');
  const [node, ...flags] = nodeCommand(profileDir);
  // As `npm start` runs it (SERVER_NODE_FLAGS), plus any flags of an A/B.
  const command = [
    node,
    ...SERVER_NODE_FLAGS,
    ...OURS_NODE_FLAGS,
    ...flags,
    '-r',
    'tsconfig-paths/register',
    main,
  ];
  const child = spawnChild('server', command, { env, logFile, echoLines: 40 });
  const probe = new ProbeReader(child);
  await waitForHttp200(child, `http://127.0.0.1:${port}/health/ready`, SERVER_READY_TIMEOUT_MS);
  return { child, probe, profileDir };
}

interface LoadRun {
  reports: LoadReport[];
  goEpochMs: number;
  children: Child[];
}

async function runLoad(
  target: Target,
  url: string,
  n: number,
  tokensFile: string,
  pids: number[],
  onGo: (goEpochMs: number) => void,
): Promise<LoadRun> {
  const children: Child[] = [];
  const clients = clientsFor(n);
  const perClient = Math.ceil(n / clients);
  for (let c = 0; c < clients; c++) {
    const count = Math.min(perClient, n - c * perClient);
    const label = clients === 1 ? 'load' : `load${c + 1}`;
    const args = [
      ['--url', url],
      ['--tokens', tokensFile],
      ['--n', String(count)],
      ['--offset', String(c * perClient)],
      ['--modes', PHASES.join(',')],
      ['--warmup', String(WARMUP_S)],
      ['--measure', String(MEASURE_S)],
      ['--gap', String(GAP_S)],
      ['--seed', String(n + c)],
      ['--go', 'stdin'],
      ['--label', label],
      ['--client', CLIENT],
    ].flat();
    const command = [
      'node',
      '--max-old-space-size=4096',
      '-r',
      'ts-node/register/transpile-only',
      join(ROOT, 'bench/ingest/load.ts'),
      ...args,
    ];
    const logFile = join(OUT_DIR, `${target}-${n}-${label}.log`);
    const child = spawnChild(label, command, { logFile, quietStdout: true });
    children.push(child);
    pids.push(child.pid);
  }
  const connectBudgetMs = 30_000 + n * 10;
  await Promise.all(children.map((child) => waitForLine(child, /^@ready$/, connectBudgetMs)));
  const goEpochMs = Date.now() + 1_000;
  onGo(goEpochMs);
  for (const child of children) child.proc.stdin?.write(`go ${goEpochMs}\n`);
  const phasesMs = PHASES.length * (WARMUP_S + MEASURE_S + GAP_S) * 1000;
  const budgetMs = phasesMs + 20_000;
  const reports = await Promise.all(
    children.map(async (child) => {
      const code = await Promise.race([
        child.exited,
        new Promise<string>((ok) => setTimeout(() => ok('timeout'), budgetMs)),
      ]);
      if (code === 'timeout') await stopChild(child, 2_000);
      const json = child.stdout.filter((line) => line.startsWith('{')).pop();
      if (!json) throw new Error(`${child.label} gave no report (exit ${code})`);
      return JSON.parse(json) as LoadReport;
    }),
  );
  return { reports, goEpochMs, children };
}

function measureWindow(goEpochMs: number, phase: number): [number, number] {
  const start = goEpochMs + phase * (WARMUP_S + MEASURE_S + GAP_S) * 1000 + WARMUP_S * 1000;
  return [start, start + MEASURE_S * 1000];
}

/** Waits until the machine (our idle server included) is below QUIET_BUSY_PERCENT, bounded. */
async function waitForQuiet(): Promise<number> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let busy = await machineBusyPercent(1_000);
  while (busy > QUIET_BUSY_PERCENT && Date.now() < deadline) {
    progress('bench', `machine busy (${busy.toFixed(0)} % CPU by others), waiting to start`);
    busy = await machineBusyPercent(3_000);
  }
  return busy;
}

async function runOne(
  target: Target,
  n: number,
  tokensFor: (n: number) => Promise<string>,
  rows: Row[],
  problems: RunProblem[],
): Promise<void> {
  if (Date.now() > RUN_DEADLINE_MS) {
    problems.push({ target, n, message: 'skipped: run deadline reached' });
    return;
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  progress('bench', `${target} N=${n}: starting server on ${url}`);
  const started = Date.now();
  let server: Server | undefined;
  let sampler: CpuSampler | undefined;
  let newRows: Row[] = [];
  let goEpochMs = NaN;
  try {
    server = await startServer(target, port, n);
    progress('bench', `${target} N=${n}: ready after ${Date.now() - started} ms`);
    const tokensFile = await tokensFor(n);
    const serverPid = server.child.pid;
    progress('bench', `${target} N=${n}: server process tree ${describeTree(serverPid)}`);
    sampler = new CpuSampler(treeReader(() => [serverPid]));
    const clientPids: number[] = [];
    const clientSampler = new CpuSampler(treeReader(() => clientPids));
    const machineSampler = new CpuSampler(machineReader());
    for (const s of [sampler, clientSampler, machineSampler]) s.start();
    const busy = await waitForQuiet();
    if (busy > QUIET_BUSY_PERCENT) {
      problems.push({ target, n, message: `started on a busy machine (${busy.toFixed(0)} % CPU)` });
    }
    const idleRssMb = treeRssMb(serverPid);
    let connectedRssMb = NaN;
    const child = server.child;
    const run = await runLoad(target, url, n, tokensFile, clientPids, (go) => {
      goEpochMs = go;
      // Every driver connected and AVAILABLE, no ping yet: memory per driver at rest.
      connectedRssMb = treeRssMb(serverPid);
      requestWindows(
        child,
        PHASES.map((mode, k) => [mode, ...measureWindow(go, k)]),
      );
    });
    for (const s of [sampler, clientSampler, machineSampler]) s.stop();
    newRows = rowsFromReports(target, n, run.reports);
    newRows.forEach((row, k) => {
      const [from, to] = measureWindow(run.goEpochMs, k);
      const srv = sampler?.window(from, to);
      row.serverCpuPercent = srv?.cpuPercent ?? NaN;
      row.serverRssMb = srv?.rssMb ?? NaN;
      row.clientCpuPercent = clientSampler.window(from, to).cpuPercent;
      const machine = machineSampler.window(from, to).cpuPercent;
      row.otherCpuPercent = Math.max(0, machine - row.serverCpuPercent - row.clientCpuPercent);
      const probed = server?.probe.windows.get(row.mode);
      row.eldP99Ms = probed?.eldP99Ms ?? NaN;
      row.gcMs = probed?.gcMs ?? NaN;
    });
    rows.push(...newRows);
    const drivers = newRows[0]?.drivers ?? 0;
    const loadedRssMb = Math.max(...newRows.map((r) => r.serverRssMb));
    if (drivers > 0 && Number.isFinite(loadedRssMb)) {
      const perDriverKb = ((loadedRssMb - idleRssMb) * 1024) / drivers;
      const atRestKb = ((connectedRssMb - idleRssMb) * 1024) / drivers;
      for (const row of newRows) {
        row.rssPerDriverKb = perDriverKb;
        row.rssAtRestPerDriverKb = atRestKb;
      }
      problems.push({
        target,
        n,
        message:
          `server RSS ${idleRssMb.toFixed(0)} MB before load, ${connectedRssMb.toFixed(0)} MB ` +
          `with every driver connected (~${atRestKb.toFixed(0)} KB per driver at rest), ` +
          `peak ${loadedRssMb.toFixed(0)} MB ` +
          `(~${perDriverKb.toFixed(0)} KB per connected driver)`,
      });
    }
    for (const report of run.reports) reportFailures(target, n, report, problems);
    if (!alive(server.child)) {
      problems.push({
        target,
        n,
        message: `server exited during the run (${await server.child.exited})`,
      });
    }
  } catch (error) {
    problems.push({ target, n, message: `run failed: ${(error as Error).message}` });
    progress('bench', `${target} N=${n}: FAILED ${(error as Error).message}`);
  } finally {
    sampler?.stop();
    if (server) {
      const code = await stopChild(server.child, STOP_GRACE_MS);
      progress('bench', `${target} N=${n}: server stopped (${code})`);
      if (target === 'ours' && code !== 0) {
        problems.push({ target, n, message: `server shutdown exit status ${code}` });
      }
      attachProfile(server, newRows, goEpochMs);
    }
  }
}

/** The CPU profile the server wrote at exit, cut to each measure window. */
function attachProfile(server: Server, rows: Row[], goEpochMs: number): void {
  const file = PROFILE ? newestProfile(server.profileDir) : undefined;
  const clock = server.probe.clock;
  if (!file || !clock || !Number.isFinite(goEpochMs)) return;
  rows.forEach((row, k) => {
    const [from, to] = measureWindow(goEpochMs, k);
    row.hot = hotFunctions(file, clock, from, to, ROOT, 40).functions;
  });
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const maxN = Math.max(...NS);
  progress('bench', `logs in ${OUT_DIR}; N=${NS.join(',')}; targets ${TARGETS.join(',')}`);
  const fdLimit = childFdLimit();
  progress('bench', `warmup ${WARMUP_S}s, measure ${MEASURE_S}s per mode; fd limit ${fdLimit}`);
  if (maxN + 100 > fdLimit) {
    progress(
      'bench',
      `WARNING: the server may hold at most ${fdLimit} descriptors, fewer than N=${maxN} ` +
        'sockets plus its own; expect connect failures near the limit',
    );
  }
  const rows: Row[] = [];
  const problems: RunProblem[] = [];
  let ourTokens: string | undefined;
  const dummyTokens = join(OUT_DIR, 'ceiling-tokens.json');
  writeFileSync(dummyTokens, JSON.stringify(Array.from({ length: maxN }, (_, i) => `t${i}`)));

  if (TARGETS.includes('ours')) {
    progress('bench', 'resetting database ridehail_bench (postgis) and redis db 13');
    await resetDatabase();
  }
  // Per N, ours then the ceiling back to back: on a shared box, the pair sees similar load.
  for (const n of NS) {
    for (const target of TARGETS) {
      const tokensFor = async (_n: number) => {
        if (target === 'ceiling') return dummyTokens;
        if (!ourTokens) {
          progress('bench', `seeding ${maxN} drivers and minting tokens`);
          const ids = await seedDrivers(maxN);
          ourTokens = join(OUT_DIR, 'driver-tokens.json');
          writeFileSync(ourTokens, JSON.stringify(mintDriverTokens(ids, JWT_SECRET)));
        }
        return ourTokens;
      };
      await runOne(target, n, tokensFor, rows, problems);
    }
  }

  const out: string[] = [];
  out.push('', 'Driver-ping ingest benchmark', '');
  out.push(
    `load processes: ${NS.map((n) => `N=${n}: ${clientsFor(n)}`).join(', ')}; warmup ${WARMUP_S}s + measure ${MEASURE_S}s per mode; ` +
      'latency = emit to ack; CPU 100 % = one core',
  );
  out.push('', resultsTable(rows), '');
  const { text, ratios } = ratiosTable(rows);
  out.push('Accepted pings/s, ours / ceiling', '', text, '');
  out.push(...hotTables(rows));
  out.push('Verdict', ...verdict(rows, ratios).map((line) => `  ${line}`));
  const extra = notes(rows, problems);
  if (extra.length > 0) out.push('', 'Notes', ...extra.map((line) => `  ${line}`));
  out.push('', `Logs: ${OUT_DIR}`, '');
  process.stdout.write(out.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    progress('bench', `failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
