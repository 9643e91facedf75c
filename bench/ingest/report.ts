/**
 * Turns load reports into rows, and rows into the printed tables, ratios and verdict.
 */
import { Counts, Histogram, LoadReport, mergeCounts, Mode } from './common';
import type { HotFunction } from './profile';

export type Target = 'ours' | 'ceiling';

export interface Row {
  target: Target;
  n: number;
  mode: Mode;
  /** Drivers that connected and pinged (N minus connect failures). */
  drivers: number;
  clients: number;
  connectMs: number;
  sentPerSec: number;
  acceptedPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Outcomes other than ok of pings sent in the measure window. */
  errorsInWindow: Counts;
  /** Outcomes other than ok over the whole phase, warmup included. */
  errorsTotal: Counts;
  maxSendLagMs: number;
  serverCpuPercent: number;
  serverRssMb: number;
  clientCpuPercent: number;
  /** Busy CPU of everything else on the machine (other processes, kernel) in the window. */
  otherCpuPercent: number;
  /** The server's event-loop delay p99 and GC pause total in the window (probe.ts). */
  eldP99Ms: number;
  gcMs: number;
  /** (Peak RSS under load - idle RSS) / connected drivers, per run. */
  rssPerDriverKb: number;
  /** (RSS with every driver connected, before the first ping - idle RSS) / connected drivers. */
  rssAtRestPerDriverKb: number;
  /** Top self-time functions of the server's CPU profile in the window. */
  hot?: HotFunction[];
}

export interface RunProblem {
  target: Target;
  n: number;
  message: string;
}

/** One row per phase, merging the reports of the load processes that shared the run. */
export function rowsFromReports(target: Target, n: number, reports: LoadReport[]): Row[] {
  const phaseCount = Math.min(...reports.map((r) => r.phases.length));
  const rows: Row[] = [];
  for (let k = 0; k < phaseCount; k++) {
    const phases = reports.map((r) => r.phases[k]);
    const hist = new Histogram();
    const errorsInWindow: Counts = {};
    const errorsTotal: Counts = {};
    for (const phase of phases) {
      hist.merge(phase.latency);
      mergeCounts(errorsInWindow, phase.outcomesInWindow);
      mergeCounts(errorsTotal, phase.outcomesTotal);
    }
    delete errorsInWindow.ok;
    delete errorsTotal.ok;
    const seconds = phases[0].measureSeconds;
    const sum = (pick: (p: (typeof phases)[number]) => number) =>
      phases.reduce((total, p) => total + pick(p), 0);
    rows.push({
      target,
      n,
      mode: phases[0].mode,
      drivers: reports.reduce((total, r) => total + r.connect.ok, 0),
      clients: reports.length,
      connectMs: Math.max(...reports.map((r) => r.connect.ms)),
      sentPerSec: sum((p) => p.sentInWindow) / seconds,
      acceptedPerSec: sum((p) => p.okInWindow) / seconds,
      p50Ms: hist.quantileMs(0.5),
      p90Ms: hist.quantileMs(0.9),
      p99Ms: hist.quantileMs(0.99),
      maxMs: hist.maxMs,
      errorsInWindow,
      errorsTotal,
      maxSendLagMs: Math.max(...phases.map((p) => p.maxSendLagMs)),
      serverCpuPercent: NaN,
      serverRssMb: NaN,
      clientCpuPercent: NaN,
      otherCpuPercent: NaN,
      eldP99Ms: NaN,
      gcMs: NaN,
      rssPerDriverKb: NaN,
      rssAtRestPerDriverKb: NaN,
    });
  }
  return rows;
}

/** Server CPU time per accepted ping (100 % CPU = 1 s of CPU per second). */
export function cpuMicrosPerPing(r: Row): number {
  return (r.serverCpuPercent / 100) * (1e6 / r.acceptedPerSec);
}

function fmt(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function fmtCounts(counts: Counts): string {
  const entries = Object.entries(counts).filter(([, v]) => v > 0);
  return entries.length === 0 ? '0' : entries.map(([k, v]) => `${k}:${v}`).join(' ');
}

function table(header: string[], body: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function resultsTable(rows: Row[]): string {
  const header = [
    'target',
    'N',
    'mode',
    'sent/s',
    'accepted/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'errors (window)',
    'srv CPU %',
    'srv RSS MB',
    'load CPU %',
    'other CPU %',
    'CPU us/ping',
    'ELD p99 ms',
    'GC ms',
    'connect s',
  ];
  const body = rows.map((r) => [
    r.target,
    r.drivers === r.n ? String(r.n) : `${r.n} (${r.drivers} up)`,
    r.mode,
    fmt(r.sentPerSec),
    fmt(r.acceptedPerSec),
    fmt(r.p50Ms, 2),
    fmt(r.p90Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.maxMs, 1),
    fmtCounts(r.errorsInWindow),
    fmt(r.serverCpuPercent),
    fmt(r.serverRssMb),
    fmt(r.clientCpuPercent),
    fmt(r.otherCpuPercent),
    fmt(cpuMicrosPerPing(r)),
    fmt(r.eldP99Ms, 1),
    fmt(r.gcMs),
    fmt(r.connectMs / 1000, 1),
  ]);
  const right = header.map((_, i) => i === 1 || (i >= 3 && i !== 9));
  return table(header, body, right);
}

/** Accepted pings/s, ours / ceiling, for each (N, mode) measured on both. */
export function ratiosTable(rows: Row[]): { text: string; ratios: Map<string, number> } {
  const ratios = new Map<string, number>();
  const body: string[][] = [];
  for (const ours of rows.filter((r) => r.target === 'ours')) {
    const ceiling = rows.find(
      (r) => r.target === 'ceiling' && r.n === ours.n && r.mode === ours.mode,
    );
    if (!ceiling) continue;
    const ratio = ours.acceptedPerSec / ceiling.acceptedPerSec;
    ratios.set(`${ours.n}/${ours.mode}`, ratio);
    body.push([
      String(ours.n),
      ours.mode,
      fmt(ours.acceptedPerSec),
      fmt(ceiling.acceptedPerSec),
      `${fmt(100 * ratio, 1)} %`,
    ]);
  }
  const header = ['N', 'mode', 'ours/s', 'ceiling/s', 'ours / ceiling'];
  return { text: table(header, body, [true, false, true, true, true]), ratios };
}

/** A warning when other processes took real CPU during the windows a verdict rests on. */
function contended(rows: Row[]): string {
  const worst = Math.max(...rows.map((r) => r.otherCpuPercent).filter(Number.isFinite));
  return worst > 25 ? ` [contended: other processes used ${fmt(worst)} % CPU; rerun quiet]` : '';
}

/**
 * Targets, ours against the ceiling in one run: >= 90 % of its accepted pings/s at saturation;
 * at the 3 s cadence >= 99 % of the offered pings accepted with ack p99 within 3x the
 * ceiling's; connect time and RSS per driver within 1.3x.
 */
export function verdict(rows: Row[], ratios: Map<string, number>): string[] {
  const lines: string[] = [];
  const mark = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  for (const n of ns) {
    const pick = (target: Target, mode: Mode) =>
      rows.find((r) => r.n === n && r.target === target && r.mode === mode);
    const flood = ratios.get(`${n}/flood`);
    if (flood === undefined) {
      lines.push(`N=${n}: saturation >= 90 % of ceiling: NOT MEASURED (need both targets)`);
    } else {
      const pair = rows.filter((r) => r.n === n && r.mode === 'flood');
      lines.push(
        `N=${n}: saturation >= 90 % of ceiling: ${mark(flood >= 0.9)} ` +
          `(${fmt(100 * flood, 1)} %)${contended(pair)}`,
      );
    }
    const ours = pick('ours', 'cadence');
    const ceiling = pick('ceiling', 'cadence');
    if (!ours || !ceiling) continue;
    const offered = ours.drivers / 3;
    const share = ours.acceptedPerSec / offered;
    const tail = ours.p99Ms / Math.max(ceiling.p99Ms, 1);
    lines.push(
      `N=${n}: 3 s cadence, >= 99 % accepted and ack p99 <= 3x ceiling's: ` +
        `${mark(share >= 0.99 && tail <= 3)} (${fmt(100 * share, 1)} % of ${fmt(offered)}/s; ` +
        `p99 ${fmt(ours.p99Ms, 1)} ms vs ${fmt(ceiling.p99Ms, 1)} ms = ${fmt(tail, 2)}x)` +
        contended([ours, ceiling]),
    );
    const connect = ours.connectMs / ceiling.connectMs;
    lines.push(
      `N=${n}: connect time <= 1.3x ceiling's: ${mark(connect <= 1.3)} ` +
        `(${fmt(ours.connectMs / 1000, 1)} s vs ${fmt(ceiling.connectMs / 1000, 1)} s = ${fmt(connect, 2)}x)`,
    );
    // Judged at rest (every driver connected, no ping yet): the peak under load also holds
    // the write buffers of acks in flight, which grow with how far behind a server is.
    const rest = ours.rssAtRestPerDriverKb / ceiling.rssAtRestPerDriverKb;
    const peak = ours.rssPerDriverKb / ceiling.rssPerDriverKb;
    lines.push(
      `N=${n}: RSS per driver at rest <= 1.3x ceiling's: ${mark(rest <= 1.3)} ` +
        `(${fmt(ours.rssAtRestPerDriverKb)} KB vs ${fmt(ceiling.rssAtRestPerDriverKb)} KB = ` +
        `${fmt(rest, 2)}x; at the peak under load ${fmt(ours.rssPerDriverKb)} KB vs ` +
        `${fmt(ceiling.rssPerDriverKb)} KB = ${fmt(peak, 2)}x)`,
    );
  }
  return lines;
}

/** Errors over whole phases (warmup included) and per-run problems, for the record. */
export function notes(rows: Row[], problems: RunProblem[]): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    const total = fmtCounts(r.errorsTotal);
    if (total !== '0') lines.push(`${r.target} N=${r.n} ${r.mode}: whole-phase errors ${total}`);
    if (r.otherCpuPercent > 25) {
      lines.push(
        `${r.target} N=${r.n} ${r.mode}: the rest of the machine used ${fmt(r.otherCpuPercent)} % ` +
          'CPU in the window (shared box; numbers are contended)',
      );
    }
    if (r.maxSendLagMs > 100) {
      lines.push(
        `${r.target} N=${r.n} ${r.mode}: load generator fell ${fmt(r.maxSendLagMs)} ms behind ` +
          'schedule (client-bound)',
      );
    }
  }
  for (const p of problems) lines.push(`${p.target} N=${p.n}: ${p.message}`);
  return lines;
}

export function reportFailures(
  target: Target,
  n: number,
  report: LoadReport,
  problems: RunProblem[],
) {
  if (report.connect.failed > 0) {
    problems.push({
      target,
      n,
      message: `connect failures ${JSON.stringify(report.connect.errors)}`,
    });
  }
  if (report.status.failed > 0) {
    problems.push({
      target,
      n,
      message: `driver:status failures ${JSON.stringify(report.status.errors)}`,
    });
  }
  if (Object.keys(report.disconnects).length > 0) {
    problems.push({ target, n, message: `disconnects ${JSON.stringify(report.disconnects)}` });
  }
}

/** The top self-time functions of ours in each window, so a regression shows its cause. */
export function hotTables(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows.filter((r) => r.target === 'ours' && r.hot)) {
    // The ceiling's share of the same function beside ours: what is socket.io's, what is ours.
    const ceiling = rows.find(
      (r) => r.target === 'ceiling' && r.n === row.n && r.mode === row.mode,
    );
    const theirs = new Map((ceiling?.hot ?? []).map((f) => [f.name, f.percent]));
    out.push(
      `Where ours spent N=${row.n} ${row.mode} (self time, % of the window's samples; ceiling's in brackets)`,
    );
    for (const f of (row.hot as HotFunction[]).slice(0, 15)) {
      const other = theirs.get(f.name);
      const bracket = other === undefined ? '(  -  )' : `(${other.toFixed(1).padStart(5)})`;
      out.push(`  ${f.percent.toFixed(1).padStart(5)} % ${bracket}  ${f.name}`);
    }
    out.push('');
  }
  return out;
}
