/**
 * Child processes for the orchestrator: spawn with a raised fd limit, forward and log output,
 * stop (SIGTERM, then SIGKILL), and sample CPU/RSS of a whole process tree from /proc.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, WriteStream } from 'node:fs';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { sleep } from './common';

/** Sockets x 2 ends share one machine; the default soft limit (often 1024) is too low. */
export const FD_LIMIT = 65_535;

/** Raise the soft limit to FD_LIMIT, or to the hard limit where that is lower (no root). */
const RAISE_FDS = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;

/** The descriptor limit each child gets. */
export function childFdLimit(): number {
  return Number(execFileSync('bash', ['-c', `${RAISE_FDS.split(';')[0]}; ulimit -n`]).toString());
}

export interface Child {
  label: string;
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  stdout: string[];
  /** Every stderr line, for markers such as `@ready`; callers may also watch `onLine`. */
  onLine: (line: string) => void;
  log: WriteStream;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Forward at most this many output lines to our stderr (all go to the log file). */
  echoLines?: number;
  /** Stdout lines are data (a JSON report), not progress: keep them off our stderr. */
  quietStdout?: boolean;
}

/** Runs `command` through `bash -c 'ulimit -n ...; exec ...'`: same pid, more descriptors. */
export function spawnChild(label: string, command: string[], options: SpawnOptions): Child {
  const proc = spawn('bash', ['-c', RAISE_FDS, 'bash', ...command], {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not spawn ${label}`);
  const log = createWriteStream(options.logFile);
  const child: Child = {
    label,
    proc,
    pid: proc.pid,
    exited: new Promise((resolve) => {
      proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    }),
    stdout: [],
    onLine: () => undefined,
    log,
  };
  let echoed = 0;
  const echoLimit = options.echoLines ?? Infinity;
  const handle = (line: string, fromStdout: boolean) => {
    log.write(`${line}\n`);
    if (fromStdout) child.stdout.push(line);
    child.onLine(line);
    if (line.startsWith('@') || (fromStdout && options.quietStdout)) return;
    if (echoed < echoLimit) process.stderr.write(`  ${label}| ${line.slice(0, 300)}\n`);
    else if (echoed === echoLimit)
      process.stderr.write(`  ${label}| (more in ${options.logFile})\n`);
    echoed++;
  };
  createInterface({ input: proc.stdout }).on('line', (line) => handle(line, true));
  createInterface({ input: proc.stderr }).on('line', (line) => handle(line, false));
  return child;
}

export function alive(child: Child): boolean {
  return child.proc.exitCode === null && child.proc.signalCode === null;
}

/** SIGTERM, then SIGKILL to the process and whatever it spawned once `graceMs` has passed. */
export async function stopChild(child: Child, graceMs: number): Promise<number | string> {
  if (!alive(child)) return child.exited;
  const tree = processTree(child.pid);
  child.proc.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  const result = await Promise.race([child.exited, sleep(graceMs).then(() => timedOut)]);
  if (result !== timedOut) return result as number | string;
  process.stderr.write(`  ${child.label}| did not exit ${graceMs} ms after SIGTERM: SIGKILL\n`);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return child.exited;
}

/** Resolves with the first line matching `pattern`; rejects on exit or after `timeoutMs`. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const previous = child.onLine;
    const timer = setTimeout(() => {
      child.onLine = previous;
      reject(new Error(`${child.label}: no line matching ${pattern} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.onLine = (line) => {
      previous(line);
      if (!pattern.test(line)) return;
      clearTimeout(timer);
      child.onLine = previous;
      resolve(line);
    };
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.label} exited (${code}) before printing ${pattern}`));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 3_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

/** Polls `url` until it answers 200; fails if the child exits or `timeoutMs` passes. */
export async function waitForHttp200(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    if (!alive(child)) throw new Error(`${child.label} exited (${await child.exited})`);
    last = await httpStatus(url);
    if (last === 200) return;
    await sleep(500);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last status ${last})`);
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  ppid: number;
  ticks: number;
  comm: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    // After "pid (comm) ": state ppid ... utime(14th field) stime(15th field).
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      comm: text.slice(text.indexOf('(') + 1, close),
    };
  } catch {
    return undefined;
  }
}

function readRssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** `root` and all its descendants (ts-node or a wrapper may put the real node below it). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** "pid:comm" for each process of the tree, to show what was measured. */
export function describeTree(root: number): string {
  return processTree(root)
    .map((pid) => `${pid}:${readStat(pid)?.comm ?? '?'}`)
    .join(' ');
}

interface Sample {
  atMs: number;
  ticks: number;
  rssKb: number;
}

type Reader = () => { ticks: number; rssKb: number };

/** CPU ticks and RSS of the process trees under `roots` (summed). */
export function treeReader(roots: () => number[]): Reader {
  return () => {
    let ticks = 0;
    let rssKb = 0;
    for (const root of roots()) {
      for (const pid of processTree(root)) {
        ticks += readStat(pid)?.ticks ?? 0;
        rssKb += readRssKb(pid);
      }
    }
    return { ticks, rssKb };
  };
}

/**
 * Process CPU ticks of the whole machine (all cores: user, nice, system), from /proc/stat.
 * Interrupt and softirq time (where loopback TCP of our own traffic is mostly accounted) and
 * steal are left out, so "machine minus ours" is the CPU of other processes.
 */
export function machineReader(): Reader {
  return () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system] = fields.slice(1).map(Number);
    return { ticks: user + nice + system, rssKb: 0 };
  };
}

/** RSS (MB) of a process tree now. */
export function treeRssMb(root: number): number {
  return treeReader(() => [root])().rssKb / 1024;
}

/** Busy CPU % of the whole machine over the next `ms` milliseconds. */
export async function machineBusyPercent(ms: number): Promise<number> {
  const read = machineReader();
  const before = read().ticks;
  const startedMs = Date.now();
  await sleep(ms);
  const seconds = (Date.now() - startedMs) / 1000;
  return (100 * (read().ticks - before)) / CLOCK_TICKS_PER_SECOND / seconds;
}

/** Samples a reader twice a second; answers mean CPU % and peak RSS over a time window. */
export class CpuSampler {
  private readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly read: Reader) {}

  start(intervalMs = 500): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.samples.push({ atMs: Date.now(), ...this.read() });
  }

  /** Mean CPU % (100 = one core) and peak RSS (MB) between two epoch-ms instants. */
  window(fromMs: number, toMs: number): { cpuPercent: number; rssMb: number } {
    const inside = this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
    if (inside.length < 2) return { cpuPercent: NaN, rssMb: NaN };
    const first = inside[0];
    const last = inside[inside.length - 1];
    const cpuSeconds = (last.ticks - first.ticks) / CLOCK_TICKS_PER_SECOND;
    return {
      cpuPercent: (100 * cpuSeconds) / ((last.atMs - first.atMs) / 1000),
      rssMb: Math.max(...inside.map((s) => s.rssKb)) / 1024,
    };
  }
}
