/**
 * What the server did in a measure window: the probe's event-loop and GC figures (see
 * probe.ts), and the top self-time functions of its V8 CPU profile restricted to the window.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Child } from './proc';

export interface ProbeWindow {
  label: string;
  /** How late the server read the window's request (a saturated loop). */
  lateMs: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  gcMs: number;
  gcCount: number;
  gcMaxMs: number;
}

/** Collects the probe's lines from a server child (call before the load starts). */
export class ProbeReader {
  /** Monotonic µs and epoch ms of one instant, from the `@clock` line. */
  clock?: { monoUs: number; epochMs: number };
  readonly windows = new Map<string, ProbeWindow>();

  constructor(child: Child) {
    const previous = child.onLine;
    child.onLine = (line) => {
      previous(line);
      if (line.startsWith('@clock ')) {
        const [, mono, epoch] = line.split(' ');
        this.clock = { monoUs: Number(mono), epochMs: Number(epoch) };
      } else if (line.startsWith('@probe ')) {
        const report = JSON.parse(line.slice(7)) as ProbeWindow;
        this.windows.set(report.label, report);
      }
    };
  }
}

/** Asks the probe in `child` to measure each window (epoch ms). */
export function requestWindows(child: Child, windows: [string, number, number][]): void {
  for (const [label, from, to] of windows)
    child.proc.stdin?.write(`window ${label} ${from} ${to}\n`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  /** Share of the window's samples (idle included), in %. */
  percent: number;
}

/** The newest `.cpuprofile` in `dir`, if the server wrote one. */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.length > 0 ? join(dir, files.sort().pop() as string) : undefined;
}

/**
 * Self time per function over the samples taken between `fromMs` and `toMs` (epoch), top `k`
 * by share; `(idle)` is counted in the total but not listed, so the shares say how busy the
 * process was with each function.
 */
export function hotFunctions(
  file: string,
  clock: { monoUs: number; epochMs: number },
  fromMs: number,
  toMs: number,
  root: string,
  k = 12,
): { functions: HotFunction[]; busyPercent: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const epochMs = clock.epochMs + (t - clock.monoUs) / 1000;
    if (epochMs < fromMs || epochMs > toMs) continue;
    total += 1;
    const frame = byId.get(profile.samples[i])?.callFrame;
    if (!frame || frame.functionName === '(idle)') {
      idle += 1;
      continue;
    }
    const name = describe(frame, root);
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const functions = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, count]) => ({ name, percent: total === 0 ? 0 : (100 * count) / total }));
  return { functions, busyPercent: total === 0 ? 0 : (100 * (total - idle)) / total };
}

function describe(frame: ProfileNode['callFrame'], root: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const path = frame.url.replace(/^file:\/\//, '');
  const short = path.startsWith(root)
    ? relative(root, path).replace(/^node_modules\//, '')
    : path.replace(/^node:/, 'node:');
  return `${name} ${short}:${frame.lineNumber + 1}`;
}
