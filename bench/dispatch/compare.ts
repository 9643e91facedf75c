/**
 * The dispatch comparison: the same scenario and seed under each strategy, each against a fresh
 * server on a fresh PostgreSQL database, then a side-by-side table and a JSON report.
 *
 *   npm run compare:dispatch -- --scenario rush-hour      (or --scenario all, the default)
 *
 * Flags: --scenario, --seed (7), --duration real seconds of traffic (40), --time-scale (14),
 * --drivers (40), --riders (150), --window-ms batch window (500 real ms = 7 simulated s),
 * --out JSON file (bench/dispatch/results/latest.json). Needs PostgreSQL with PostGIS at
 * COMPARE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); without Redis
 * the server runs BullMQ on that database. Each run is bounded: traffic, a 20 s drain, and
 * a 60 s deadline for the server to be ready; processes started here are stopped by pid.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Client } from 'pg';
import { SCENARIO_NAMES, SCENARIOS } from '../../apps/simulator/src/scenarios';
import { measure, RunMetrics } from './metrics';
import { formatTable } from './table';

const ROOT = resolve(__dirname, '..', '..');
const STRATEGIES = ['sequential', 'batched'] as const;
/** Simulated km/h: the server's ETA model (25 km/h over 1.3 x the straight line) driven straight. */
const SIM_SPEED_KMH = 19.2;
const CITY = { lat: 51.5074, lng: -0.1278, radiusKm: 3 };

interface Flags {
  scenarios: string[];
  seed: number;
  durationS: number;
  timeScale: number;
  drivers: number;
  riders: number;
  windowMs: number;
  out: string;
}

function parseFlags(argv: string[]): Flags {
  const get = (name: string, fallback: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return fallback;
    return argv[i].includes('=') ? argv[i].split('=')[1] : (argv[i + 1] ?? fallback);
  };
  const scenario = get('scenario', 'all');
  const scenarios = scenario === 'all' ? [...SCENARIO_NAMES] : scenario.split(',');
  for (const s of scenarios)
    if (!(SCENARIO_NAMES as readonly string[]).includes(s))
      throw new Error(`--scenario must be all or one of ${SCENARIO_NAMES.join(', ')}`);
  const int = (name: string, fallback: number, min: number, max: number) => {
    const v = Number(get(name, String(fallback)));
    if (!Number.isFinite(v) || v < min || v > max)
      throw new Error(`--${name} must be in [${min}, ${max}]`);
    return v;
  };
  return {
    scenarios,
    seed: int('seed', 7, 0, 2 ** 32 - 1),
    durationS: int('duration', 40, 10, 600),
    timeScale: int('time-scale', 14, 1, 14),
    drivers: int('drivers', 40, 1, 500),
    riders: int('riders', 150, 1, 2_000),
    windowMs: int('window-ms', 500, 50, 10_000),
    out: get('out', resolve(__dirname, 'results', 'latest.json')),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function tsNode(file: string, args: string[], env: Record<string, string>, quiet: boolean) {
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', file, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env },
      stdio: quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'],
    },
  );
}

const exited = (child: ChildProcess) =>
  new Promise<number>((done) => {
    if (child.exitCode !== null) return done(child.exitCode);
    child.once('exit', (code) => done(code ?? 1));
  });

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited(child);
  clearTimeout(timer);
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms`);
}

async function runOne(flags: Flags, scenario: string, strategy: string): Promise<RunMetrics> {
  const base = process.env.COMPARE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `ridehail_compare_${process.pid}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = Object.assign(new URL(base), { pathname: `/${dbName}` }).toString();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const report = resolve(tmpdir(), `ridehail-compare-${process.pid}.json`);
  const server = tsNode(
    'apps/api/src/main.ts',
    [],
    {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      REDIS_URL: '',
      LOG_LEVEL: 'error',
      AUTH_RATE_LIMIT: '100000',
      MATCH_STRATEGY: strategy,
      MATCH_BATCH_WINDOW_MS: String(flags.windowMs),
      // Time-compressed like the traffic: a retry and an offer's answer time in simulated terms.
      MATCH_RETRY_MS: String(flags.windowMs),
      OFFER_TIMEOUT_MS: '5000',
      MATCH_MAX_MS: '60000',
      SWEEP_INTERVAL_MS: '5000',
    },
    true,
  );
  try {
    await waitReady(url, server, 60_000);
    const sim = tsNode(
      'apps/simulator/src/main.ts',
      [
        ...['--url', url, '--scenario', scenario, '--seed', String(flags.seed)],
        ...['--drivers', String(flags.drivers), '--riders', String(flags.riders)],
        ...['--duration', String(flags.durationS), '--time-scale', String(flags.timeScale)],
        ...['--city-lat', String(CITY.lat), '--city-lng', String(CITY.lng)],
        ...['--radius-km', String(CITY.radiusKm), '--speed-kmh', String(SIM_SPEED_KMH)],
        ...['--report-json', report],
      ],
      {},
      true,
    );
    const code = await exited(sim);
    if (code !== 0) process.stderr.write(`  (the simulator exited ${code})\n`);
    const simReport = JSON.parse(readFileSync(report, 'utf8')) as {
      driverMs: Record<string, number>;
      violations: string[];
    };
    if (simReport.violations.length > 0)
      throw new Error(`invariant violations: ${simReport.violations.join('; ')}`);
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    try {
      return await measure(db, flags.timeScale, simReport.driverMs);
    } finally {
      await db.end();
    }
  } finally {
    await stop(server);
    rmSync(report, { force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const results: Record<string, Record<string, RunMetrics>> = {};
  for (const scenario of flags.scenarios) {
    results[scenario] = {};
    for (const strategy of STRATEGIES) {
      const started = Date.now();
      process.stdout.write(`${scenario} / ${strategy}: running...`);
      results[scenario][strategy] = await runOne(flags, scenario, strategy);
      process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
    process.stdout.write(
      `\n${scenario}: ${SCENARIOS[scenario as keyof typeof SCENARIOS].description}\n`,
    );
    process.stdout.write(`${formatTable(results[scenario])}\n\n`);
  }
  const { out, ...settings } = flags;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      { settings: { ...settings, simSpeedKmh: SIM_SPEED_KMH, city: CITY }, results },
      null,
      2,
    ),
  );
  process.stdout.write(`JSON report: ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`compare:dispatch failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
