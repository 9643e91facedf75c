/**
 * Turns load reports into rows, and rows into the printed tables, ratios and verdict.
 */
import { Counts, Histogram, LoadReport, mergeCounts, Mode } from './common';

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
    });
  }
  return rows;
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

/** Targets: flood throughput >= 70 % of the ceiling; 20k drivers at a 3 s cadence held. */
export function verdict(rows: Row[], ratios: Map<string, number>): string[] {
  const lines: string[] = [];
  const floodRatios = [...ratios.entries()].filter(([key]) => key.endsWith('/flood'));
  if (floodRatios.length === 0) {
    lines.push('throughput >= 70 % of ceiling: NOT MEASURED (need flood runs on both targets)');
  }
  for (const [key, ratio] of floodRatios) {
    const pass = ratio >= 0.7;
    const n = Number(key.split('/')[0]);
    const pair = rows.filter((r) => r.n === n && r.mode === 'flood');
    lines.push(
      `throughput >= 70 % of ceiling (N=${n}, flood): ` +
        `${pass ? 'PASS' : 'FAIL'} (${fmt(100 * ratio, 1)} %)${contended(pair)}`,
    );
  }
  const cadence = rows.filter((r) => r.target === 'ours' && r.mode === 'cadence');
  const held = cadence.find((r) => r.n === 20_000);
  const checked = held ?? cadence.sort((a, b) => b.n - a.n)[0];
  if (!checked) {
    lines.push('20k drivers at 3 s cadence: NOT MEASURED');
    return lines;
  }
  // Expected rate of the drivers that actually connected; a shortfall is reported apart.
  const expected = checked.drivers / 3;
  const errors = Object.values(checked.errorsInWindow).reduce((a, b) => a + b, 0);
  const pass = checked.acceptedPerSec >= 0.97 * expected && checked.p99Ms < 50 && errors === 0;
  const up = checked.drivers === checked.n ? '' : ` (${checked.drivers} connected)`;
  const scope = held ? `20k drivers${up}` : `N=${checked.n} only (20k not run; indicative)`;
  lines.push(
    `${scope} at 3 s cadence held, p99 < 50 ms: ${pass ? 'PASS' : 'FAIL'} ` +
      `(accepted ${fmt(checked.acceptedPerSec)}/s of ${fmt(expected)}/s expected, ` +
      `p99 ${fmt(checked.p99Ms, 2)} ms, ${errors} errors)${contended([checked])}`,
  );
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
