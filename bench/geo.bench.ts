/**
 * Location index benchmark: ours against rbush, kdbush, a brute-force scan and Redis GEO, on one
 * seeded workload, in one process. Progress goes to stderr, the tables to stdout.
 *
 *   npm run bench                      # N = 100k and 1M
 *   BENCH_N=100000 npm run bench       # one size
 *   BENCH_QUICK=1 npm run bench        # smoke run (N = 20k unless BENCH_N, short budgets)
 */
import {
  BruteForceContender,
  type Contender,
  KdbushContender,
  OursContender,
  RbushContender,
} from './contenders';
import { measureRedis } from './redis-geo';
import {
  initialPositions,
  liveBytes,
  log,
  makeIds,
  median,
  nextStep,
  now,
  percentile,
  type Positions,
  queryPoints,
  QUERY_K,
  QUERY_RADIUS_METERS,
} from './workload';

export interface Result {
  name: string;
  buildMs: number;
  updatesPerSec: number;
  queriesPerSec: number;
  p50Us: number;
  p99Us: number;
  bytesPerDriver: number;
  note: string;
}

export interface Budget {
  steps: number;
  queryBatch: number;
  queryRepeats: number;
  latencySamples: number;
  /** Cap per phase for slow contenders; fast ones finish their fixed work well inside it. */
  slowPhaseMs: number;
  redisBuildMs: number;
  redisQueries: number;
}

const QUICK = process.env.BENCH_QUICK === '1';
const SEED = 42;
const UPDATE_CHUNK = 8192;

function budgetFor(n: number): Budget {
  if (QUICK) {
    return {
      steps: 2,
      queryBatch: 5_000,
      queryRepeats: 1,
      latencySamples: 5_000,
      slowPhaseMs: 300,
      redisBuildMs: 10_000,
      redisQueries: 200,
    };
  }
  return {
    steps: n >= 1_000_000 ? 4 : 6,
    queryBatch: 200_000,
    queryRepeats: 3,
    latencySamples: 100_000,
    slowPhaseMs: 2_500,
    redisBuildMs: 60_000,
    redisQueries: 3_000,
  };
}

function measure(
  c: Contender,
  n: number,
  steps: Positions[],
  queries: Positions,
  b: Budget,
): Result {
  const base = liveBytes();
  const ids = makeIds(n, 7);
  log(`${c.name}: build ${n}`);
  let t = now();
  c.build(ids, steps[0].lat, steps[0].lng);
  const buildMs = now() - t;

  const rates: number[] = [];
  let partial = false;
  for (let s = 1; s < steps.length && !partial; s++) {
    log(`${c.name}: ping step ${s}/${steps.length - 1}`);
    const { lat, lng } = steps[s];
    t = now();
    let done = 0;
    if (c.static) {
      c.update(lat, lng, 0, n);
      done = n;
    } else {
      while (done < n && now() - t < b.slowPhaseMs) {
        const to = Math.min(n, done + UPDATE_CHUNK);
        c.update(lat, lng, done, to);
        done = to;
      }
    }
    rates.push(done / ((now() - t) / 1000));
    partial = done < n;
  }
  // Measured after the moves, so churn (splits, folds, free lists) is in the figure.
  const bytesPerDriver = (liveBytes() - base) / n;

  log(`${c.name}: kNN warm-up and ${b.queryRepeats} x ${b.queryBatch} queries`);
  const total = queries.lat.length;
  let hits = 0;
  for (let i = 0; i < 2_000; i++) hits += c.knn(queries.lat[i % total], queries.lng[i % total]);
  const qRates: number[] = [];
  for (let r = 0; r < b.queryRepeats; r++) {
    t = now();
    let i = 0;
    for (; i < b.queryBatch; i++) {
      if ((i & 127) === 0 && now() - t > b.slowPhaseMs) break;
      const q = (i + r * 7919) % total;
      hits += c.knn(queries.lat[q], queries.lng[q]);
    }
    qRates.push(i / ((now() - t) / 1000));
  }
  const latencies = new Float64Array(b.latencySamples);
  let samples = 0;
  t = now();
  for (; samples < b.latencySamples; samples++) {
    if ((samples & 127) === 0 && now() - t > b.slowPhaseMs) break;
    const q = (samples * 31) % total;
    const q0 = now();
    hits += c.knn(queries.lat[q], queries.lng[q]);
    latencies[samples] = (now() - q0) * 1000;
  }
  const sorted = latencies.subarray(0, samples).sort();
  return {
    name: c.name,
    buildMs,
    updatesPerSec: median(rates),
    queriesPerSec: median(qRates),
    p50Us: percentile(sorted, 0.5),
    p99Us: percentile(sorted, 0.99),
    bytesPerDriver,
    note: `${partial ? 'partial step (time cap), ' : ''}${samples} latency samples, ${(hits / 1e3).toFixed(0)}k hits`,
  };
}

/** Ours against the brute-force scan on the same points: k-nearest id sets must agree. */
function crossCheck(n: number, positions: Positions, queries: Positions): string {
  const ours = new OursContender();
  const brute = new BruteForceContender();
  const ids = makeIds(n, 7);
  ours.build(ids, positions.lat, positions.lng);
  brute.build(ids, positions.lat, positions.lng);
  let agree = 0;
  const checks = 200;
  for (let i = 0; i < checks; i++) {
    const a = ours.knnIds(queries.lat[i], queries.lng[i]);
    const b = brute.knnIds(queries.lat[i], queries.lng[i]);
    if (a.length === b.length && a.every((id) => b.includes(id))) agree++;
  }
  return `cross-check: ours and brute force agree on ${agree}/${checks} k-nearest sets`;
}

const fmtRate = (v: number): string =>
  !Number.isFinite(v)
    ? '-'
    : v >= 1e6
      ? `${(v / 1e6).toFixed(2)}M`
      : v >= 1e3
        ? `${(v / 1e3).toFixed(1)}k`
        : v.toFixed(0);
const fmtNum = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function table(n: number, results: Result[], notes: string[]): string {
  const header = [
    'implementation',
    'build ms',
    'updates/s',
    'kNN q/s',
    'p50 µs',
    'p99 µs',
    'B/driver',
  ];
  const rows = results.map((r) => [
    r.name,
    fmtNum(r.buildMs, 0),
    fmtRate(r.updatesPerSec),
    fmtRate(r.queriesPerSec),
    fmtNum(r.p50Us),
    fmtNum(r.p99Us),
    fmtNum(r.bytesPerDriver, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [
    `N = ${n.toLocaleString('en-US')} drivers, 40 km x 40 km, k = ${QUERY_K} within ${QUERY_RADIUS_METERS} m, seed ${SEED}`,
    '',
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  const ours = results[0];
  for (const peer of results.slice(1)) {
    out.push(
      `ours ÷ ${peer.name}: updates ${fmtNum(ours.updatesPerSec / peer.updatesPerSec)}x, ` +
        `kNN ${fmtNum(ours.queriesPerSec / peer.queriesPerSec)}x, p99 ${fmtNum(peer.p99Us / ours.p99Us)}x lower`,
    );
  }
  for (const r of results) if (r.note) out.push(`note ${r.name}: ${r.note}`);
  return [...out, ...notes, ''].join('\n');
}

function targets(n: number, results: Result[]): string[] {
  const [ours] = results;
  const peer = (prefix: string): Result | undefined =>
    results.find((r) => r.name.startsWith(prefix));
  const check = (label: string, ok: boolean, value: string): string =>
    `${ok ? 'MET ' : 'MISS'} ${label}: ${value}`;
  const lines: string[] = [];
  if (n === 100_000) {
    lines.push(check('>= 3M updates/s', ours.updatesPerSec >= 3e6, fmtRate(ours.updatesPerSec)));
    lines.push(check('>= 400k kNN q/s', ours.queriesPerSec >= 4e5, fmtRate(ours.queriesPerSec)));
    lines.push(check('kNN p99 <= 8 µs', ours.p99Us <= 8, `${fmtNum(ours.p99Us)} µs`));
    const rbush = peer('rbush');
    if (rbush) {
      const u = ours.updatesPerSec / rbush.updatesPerSec;
      const q = ours.queriesPerSec / rbush.queriesPerSec;
      lines.push(check('>= 10x rbush updates', u >= 10, `${fmtNum(u)}x`));
      lines.push(check('>= 4x rbush kNN', q >= 4, `${fmtNum(q)}x`));
    }
  }
  if (n === 1_000_000) {
    lines.push(
      check('>= 1.5M updates/s', ours.updatesPerSec >= 1.5e6, fmtRate(ours.updatesPerSec)),
    );
    lines.push(check('>= 150k kNN q/s', ours.queriesPerSec >= 1.5e5, fmtRate(ours.queriesPerSec)));
    lines.push(check('kNN p99 <= 20 µs', ours.p99Us <= 20, `${fmtNum(ours.p99Us)} µs`));
    lines.push(
      check('<= 200 B/driver', ours.bytesPerDriver <= 200, `${fmtNum(ours.bytesPerDriver, 0)} B`),
    );
  }
  const redis = peer('Redis');
  if (redis) {
    const q = ours.queriesPerSec / redis.queriesPerSec;
    lines.push(check('>= 100x Redis GEO kNN', q >= 100, `${fmtNum(q, 0)}x`));
  }
  return lines.length > 0 ? ['targets:', ...lines.map((l) => `  ${l}`)] : [];
}

async function runSize(n: number): Promise<string> {
  const b = budgetFor(n);
  log(`N = ${n}: generating workload (${b.steps} ping steps)`);
  const steps = [initialPositions(n, SEED)];
  for (let s = 1; s <= b.steps; s++) steps.push(nextStep(steps[s - 1], SEED + s));
  const queries = queryPoints(Math.max(b.queryBatch, 10_000), SEED + 1000);
  const notes = [crossCheck(Math.min(n, 100_000), steps[0], queries)];
  const contenders: Contender[] = [
    new OursContender(),
    new RbushContender(),
    new KdbushContender(),
    new BruteForceContender(),
  ];
  const results: Result[] = [];
  for (let i = 0; i < contenders.length; i++) {
    results.push(measure(contenders[i], n, steps, queries, b));
    contenders[i] = undefined as unknown as Contender; // let the next memory figure start clean
  }
  const redis = await measureRedis(n, steps, queries, b);
  if (typeof redis === 'string') notes.push(redis);
  else results.push(redis);
  return table(n, results, [...notes, ...targets(n, results)]);
}

async function main(): Promise<void> {
  const sizes = process.env.BENCH_N
    ? [Number(process.env.BENCH_N)]
    : QUICK
      ? [20_000]
      : [100_000, 1_000_000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1_000)) {
    throw new RangeError(`BENCH_N must be an integer >= 1000, got ${process.env.BENCH_N}`);
  }
  process.stdout.write(
    `geo bench: node ${process.version}, ${QUICK ? 'quick smoke run' : 'full run'}, one process\n\n`,
  );
  for (const n of sizes) process.stdout.write(`${await runSize(n)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
