/**
 * What geo.bench.ts prints: the results table of a section, our rows' ratios to each peer, the
 * targets of issue 13 checked for each of our shuffled-order rows, and the summary across sections.
 */
import { QUERY_K, QUERY_RADIUS_METERS, type Dataset } from './workload';

export interface Result {
  name: string;
  buildMs: number;
  /** Steady state: each timed phase right after one of the contender's own (what targets use). */
  updatesPerSec: number;
  queriesPerSec: number;
  /** Cold: each timed phase right after another contender's, its caches refilled by their data. */
  coldUpdatesPerSec: number;
  coldQueriesPerSec: number;
  p50Us: number;
  p99Us: number;
  bytesPerDriver: number;
  note: string;
}

export const fmtRate = (v: number): string =>
  !Number.isFinite(v)
    ? '-'
    : v >= 1e6
      ? `${(v / 1e6).toFixed(2)}M`
      : v >= 1e3
        ? `${(v / 1e3).toFixed(1)}k`
        : v.toFixed(0);
export const fmtNum = (v: number, digits = 1): string =>
  Number.isFinite(v) ? v.toFixed(digits) : '-';

/** Two decimals below 10, so a ratio just short of its target never prints as the target. */
const ratioText = (x: number): string => fmtNum(x, x < 10 ? 2 : 1);

function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ];
}

function resultsTable(results: Result[]): string[] {
  const header = [
    'implementation',
    'build ms',
    'updates/s',
    'cold',
    'kNN q/s',
    'cold',
    'p50 µs',
    'p99 µs',
    'B/driver',
  ];
  return markdownTable(
    header,
    results.map((r) => [
      r.name,
      fmtNum(r.buildMs, 0),
      fmtRate(r.updatesPerSec),
      fmtRate(r.coldUpdatesPerSec),
      fmtRate(r.queriesPerSec),
      fmtRate(r.coldQueriesPerSec),
      fmtNum(r.p50Us),
      fmtNum(r.p99Us),
      fmtNum(r.bytesPerDriver, 0),
    ]),
  );
}

/** One target, checked for each of our shuffled-order rows. */
interface Target {
  label: string;
  /** The measured figure and whether it meets the target; undefined when it does not apply. */
  check(ours: Result): { ok: boolean; value: string } | undefined;
}

export interface Section {
  dataset: Dataset;
  n: number;
  results: Result[];
  /** Our shuffled-order rows, which the targets are about. */
  ours: Result[];
  verdicts: { label: string; cells: { ok: boolean; value: string }[] }[];
}

export function targetsFor(
  n: number,
  results: Result[],
  agree: number,
  crossChecks: number,
): Target[] {
  const peer = (prefix: string): Result | undefined =>
    results.find((r) => r.name.startsWith(prefix));
  const rbush = peer('rbush');
  const kdbush = peer('kdbush');
  const ratio = (
    label: string,
    of: Result | undefined,
    min: number,
    pick: (r: Result) => number,
  ): Target => ({
    label,
    check: (ours) => {
      if (of === undefined) return undefined;
      const x = pick(ours) / pick(of);
      return { ok: x >= min, value: `${ratioText(x)}x` };
    },
  });
  const targets = [
    ratio('updates >= 10x rbush', rbush, 10, (r) => r.updatesPerSec),
    ratio('update <= kdbush rebuild per point', kdbush, 1, (r) => r.updatesPerSec),
    ratio('kNN >= 4x rbush', rbush, 4, (r) => r.queriesPerSec),
    ratio('kNN >= 2x kdbush', kdbush, 2, (r) => r.queriesPerSec),
    {
      label: 'kNN p99 <= 3x its p50',
      check: (ours: Result) => {
        const x = ours.p99Us / ours.p50Us;
        return { ok: x <= 3, value: `${ratioText(x)}x` };
      },
    },
    {
      label: 'results equal brute force',
      check: () => ({ ok: agree === crossChecks, value: `${agree}/${crossChecks}` }),
    },
  ];
  if (n >= 1_000_000) {
    targets.push({
      label: '<= 200 B/driver (36-char ids)',
      check: (ours) => ({
        ok: ours.bytesPerDriver <= 200,
        value: `${fmtNum(ours.bytesPerDriver, 0)} B`,
      }),
    });
  }
  return targets;
}

const coldRatio = (x: number): string => (Number.isFinite(x) ? ` (cold ${fmtNum(x)}x)` : '');

export function sectionText(section: Section, notes: string[], seed: number): string {
  const { dataset, n, results, ours } = section;
  const out = [
    `${dataset.name}: N = ${n.toLocaleString('en-US')} drivers ${dataset.description}, ` +
      `k = ${QUERY_K} within ${QUERY_RADIUS_METERS} m, seed ${seed}, queries after the moves`,
    '',
    ...resultsTable(results),
    '',
  ];
  const peers = results.filter((r) => !r.name.startsWith('ours'));
  for (const o of results.filter((r) => r.name.startsWith('ours'))) {
    out.push(
      `${o.name} ÷ ` +
        peers
          .map(
            (p) =>
              `${p.name.split(' ')[0]}: updates ${fmtNum(o.updatesPerSec / p.updatesPerSec)}x` +
              `${coldRatio(o.coldUpdatesPerSec / p.coldUpdatesPerSec)}, ` +
              `kNN ${fmtNum(o.queriesPerSec / p.queriesPerSec)}x` +
              `${coldRatio(o.coldQueriesPerSec / p.coldQueriesPerSec)}`,
          )
          .join('; '),
    );
  }
  for (const r of results) if (r.note) out.push(`note ${r.name}: ${r.note}`);
  out.push(
    ...notes,
    '',
    `targets (shuffled order, steady state; ${ours.map((o) => o.name).join(' | ')}):`,
  );
  for (const v of section.verdicts) {
    const cells = v.cells.map((c) => `${c.ok ? 'MET ' : 'MISS'} ${c.value}`.padEnd(14));
    out.push(`  ${v.label.padEnd(36)} ${cells.join(' ')}`);
  }
  return [...out, ''].join('\n');
}

/** One row per section and API, one column per target: the summary the README keeps. */
export function summary(sections: Section[]): string {
  if (sections.length === 0) return '';
  const labels = [...new Set(sections.flatMap((s) => s.verdicts.map((v) => v.label)))];
  const rows: string[][] = [];
  for (const s of sections) {
    s.ours.forEach((o, i) => {
      const row = [rowLabel(s, o)];
      for (const label of labels) {
        const c = s.verdicts.find((v) => v.label === label)?.cells[i];
        row.push(c === undefined ? '' : `${c.value} ${c.ok ? 'met' : 'MISS'}`);
      }
      rows.push(row);
    });
  }
  return [
    'summary (shuffled order, steady state):',
    '',
    ...markdownTable(['section, API', ...labels], rows),
    '',
    "the same ratios cold, each timed phase right after another contender's:",
    '',
    ...coldSummary(sections),
    '',
  ].join('\n');
}

/** "clustered 100k, move(handle)": a section and one of our APIs, as the summaries name rows. */
function rowLabel(s: Section, ours: Result): string {
  const size = s.n >= 1e6 ? `${s.n / 1e6}M` : `${s.n / 1e3}k`;
  return `${s.dataset.name} ${size}, ${ours.name.split(', ')[1]}`;
}

/** The rate targets again from the cold figures, so the cache's share in them stays visible. */
function coldSummary(sections: Section[]): string[] {
  const updates = (r: Result): number => r.coldUpdatesPerSec;
  const queries = (r: Result): number => r.coldQueriesPerSec;
  const columns = [
    ['updates ÷ rbush', 'rbush', updates],
    ['update ÷ kdbush rebuild', 'kdbush', updates],
    ['kNN ÷ rbush', 'rbush', queries],
    ['kNN ÷ kdbush', 'kdbush', queries],
  ] as const;
  const rows = sections.flatMap((s) =>
    s.ours.map((o) => [
      rowLabel(s, o),
      ...columns.map(([, prefix, pick]) => {
        const p = s.results.find((r) => r.name.startsWith(prefix));
        return p === undefined ? '' : `${ratioText(pick(o) / pick(p))}x`;
      }),
    ]),
  );
  return markdownTable(['section, API', ...columns.map(([label]) => label)], rows);
}
