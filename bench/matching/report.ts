/**
 * The printed result: the latency table, the breakdown/resources table (with a median-of-runs
 * row per scenario), the verdict against the p99 target, and notes on the machine and server.
 */
import { fmt, loadAverage } from './common';
import { breakdownTable, latencyTable, medianRow, RunSummary } from './measure';

export interface ReportInput {
  rate: number;
  runs: number;
  targetP99Ms: number;
  offerTimeoutMs: number;
  scenarios: string[];
  summaries: RunSummary[];
  startLoad: number[];
  failedJobs: number;
  warningCount: number;
  warnings: string[];
  problems: string[];
  outDir: string;
}

export function formatReport(input: ReportInput): string {
  const { rate, runs: runCount, scenarios, startLoad, failedJobs } = input;
  const rows: RunSummary[] = [];
  const medians: RunSummary[] = [];
  for (const name of scenarios) {
    const runs = input.summaries.filter((x) => x.scenario === name);
    if (runs.length === 0) continue;
    rows.push(...runs);
    const m = medianRow(runs);
    medians.push(m);
    if (runs.length > 1) rows.push(m);
  }
  const out: string[] = ['', 'Matching latency: trip request -> first offer', ''];
  out.push(
    `${rate} requests/s open loop, ${runCount} run(s) per scenario, each from fresh riders;`,
    `offers never answered (OFFER_TIMEOUT_MS ${input.offerTimeoutMs}). Times in ms.`,
    'offer = min(trip_offers.offered_at) - trips.created_at (PostgreSQL, server clock);',
    'http = POST /trips round trip at the client; <=1s / offered = share of created trips.',
  );
  out.push('', latencyTable(rows), '');
  out.push(
    'Where the time goes (ms) and resources:',
    "  p99 t<T / t>=T = offer p99 of trips requested before / after the run's first offers",
    '  expired (T = OFFER_TIMEOUT_MS; from then on every expiry triggers a new matching step);',
    '  to queue = created_at -> matching job added; queue wait = added -> picked by a worker;',
    '  step>offer = picked -> offered_at (trips offered in their first step);',
    '  2km = first offer found within the first radius; busy/trip = candidates skipped because',
    '  they held another pending offer; no-cand = rounds that found no candidate;',
    '  CPU over the send window, 100 % = one core; pg = backends of the bench database.',
  );
  out.push('', breakdownTable(rows, input.offerTimeoutMs), '');
  out.push('Verdict (target: p99 request -> first offer < 100 ms, median of runs)');
  for (const m of medians) {
    const pass = m.offer.p99 < input.targetP99Ms && m.offeredEver >= 0.999;
    out.push(
      `  ${m.scenario}: p99 ${fmt(m.offer.p99, 1)} ms, offered ${fmt(m.offeredEver * 100, 1)} % -> ` +
        `${pass ? 'PASS' : 'FAIL'}`,
    );
  }
  const end = loadAverage();
  out.push('', 'Notes');
  out.push(
    `  load average at start ${startLoad.join(' ')}, at end ${end.join(' ')} (2 cores, shared)`,
  );
  out.push(`  failed matching jobs in BullMQ: ${failedJobs}`);
  out.push(`  server log lines at warn or above (all servers): ${input.warningCount}`);
  for (const line of input.warnings.slice(0, 5)) out.push(`    ${line.slice(0, 300)}`);
  for (const p of input.problems) out.push(`  ${p}`);
  out.push(`  logs and results.json: ${input.outDir}`, '');
  return out.join('\n');
}
