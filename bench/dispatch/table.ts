import type { RunMetrics } from './metrics';

type Row = [
  label: string,
  pick: (m: RunMetrics) => number | null,
  better: 'lower' | 'higher' | null,
];

const ROWS: Row[] = [
  ['trips requested', (m) => m.requested, null],
  ['match rate %', (m) => m.matchRatePercent, 'higher'],
  ['wait to pickup p50 (s)', (m) => m.waitToPickupS.p50, 'lower'],
  ['wait to pickup p90 (s)', (m) => m.waitToPickupS.p90, 'lower'],
  ['pickup distance mean (m)', (m) => m.pickupMeters.mean, 'lower'],
  ['pickup distance p90 (m)', (m) => m.pickupMeters.p90, 'lower'],
  ['pickup ETA promised mean (s)', (m) => m.pickupEtaS.promisedMean, 'lower'],
  ['pickup ETA actual mean (s)', (m) => m.pickupEtaS.actualMean, 'lower'],
  ['offers per trip', (m) => m.offersPerTrip, null],
  ['cancelled by rider', (m) => m.cancelledByRider, 'lower'],
  ['no driver found', (m) => m.noDriverFound, 'lower'],
  ['completed', (m) => m.completed, 'higher'],
  ['driver time idle %', (m) => m.driverTimePercent.idle, null],
  ['driver time en route %', (m) => m.driverTimePercent.enRoute, 'lower'],
  ['driver time with rider %', (m) => m.driverTimePercent.withRider, 'higher'],
  ['trips per driver mean', (m) => m.tripsPerDriver.mean, null],
  ['trips per driver stddev', (m) => m.tripsPerDriver.stddev, null],
  ['trips per driver Gini', (m) => m.tripsPerDriver.gini, 'lower'],
];

/** A markdown table: one column per strategy, then batched against sequential. */
export function formatTable(byStrategy: Record<string, RunMetrics>): string {
  const names = Object.keys(byStrategy);
  const header = ['metric', ...names, 'batched vs sequential'];
  const lines = [header, header.map((h) => '-'.repeat(h.length))];
  for (const [label, pick] of ROWS) {
    const values = names.map((n) => pick(byStrategy[n]));
    const [a, b] = [pick(byStrategy.sequential), pick(byStrategy.batched)];
    const change =
      a === null || b === null || a === 0
        ? ''
        : `${b >= a ? '+' : ''}${((100 * (b - a)) / a).toFixed(0)} %`;
    lines.push([label, ...values.map((v) => (v === null ? '-' : String(v))), change]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines
    .map(
      (l) =>
        `| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`,
    )
    .join('\n');
}
