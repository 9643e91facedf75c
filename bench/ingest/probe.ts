/**
 * Preloaded into a bench server (`node -r .../probe.ts`): measures the event loop and the
 * garbage collector inside measure windows the orchestrator names, so a regression shows its
 * cause next to its throughput. It owns the server's stdin (the servers read nothing else):
 *
 *   window <label> <fromEpochMs> <toEpochMs>   -> at `to`, one line on stderr:
 *   @probe {"label","eldP50Ms","eldP99Ms","eldMaxMs","gcMs","gcCount","gcMaxMs"}
 *
 * and prints `@clock <monotonicUs> <epochMs>` once at load, which maps a V8 CPU profile's
 * timestamps (monotonic microseconds) onto the orchestrator's epoch-ms windows.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();

let gcMs = 0;
let gcCount = 0;
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    gcCount += 1;
    if (entry.duration > gcMaxMs) gcMaxMs = entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

process.stderr.write(`@clock ${process.hrtime.bigint() / 1000n} ${Date.now()}\n`);

function measure(label: string, fromMs: number, toMs: number): void {
  // A saturated server may read the request after the window opened: measure what is left
  // of it, and say so (an empty rest is reported as NaN, not as a quiet loop).
  const lateMs = Math.max(0, Date.now() - fromMs);
  let start = { gcMs: 0, gcCount: 0 };
  const begin = () => {
    eld.reset();
    gcMaxMs = 0;
    start = { gcMs, gcCount };
  };
  const end = () => {
    const ms = (ns: number) => (eld.count === 0 ? NaN : Math.round(ns / 1e4) / 100);
    const report = {
      label,
      lateMs,
      eldP50Ms: ms(eld.percentile(50)),
      eldP99Ms: ms(eld.percentile(99)),
      eldMaxMs: ms(eld.max),
      gcMs: Math.round(gcMs - start.gcMs),
      gcCount: gcCount - start.gcCount,
      gcMaxMs: Math.round(gcMaxMs * 10) / 10,
    };
    process.stderr.write(`@probe ${JSON.stringify(report)}\n`);
  };
  setTimeout(begin, Math.max(0, fromMs - Date.now())).unref();
  setTimeout(end, Math.max(0, toMs - Date.now())).unref();
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [verb, label, from, to] = line.trim().split(/\s+/);
  if (verb === 'window' && label && Number(to) > Number(from)) {
    measure(label, Number(from), Number(to));
  }
});
