/**
 * The API server as a child process (start, wait until ready, stop) and CPU/RSS sampling of
 * sets of processes from /proc. Adapted from bench/ingest/proc.ts, reduced to what this
 * benchmark needs.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, WriteStream } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { progress, sleep } from './common';

export interface ServerChild {
  proc: ChildProcess;
  pid: number;
  exited: Promise<number | string>;
  log: WriteStream;
  /** Log lines at pino level >= 40 (warn), first few kept verbatim. */
  warnings: string[];
  warningCount: number;
}

const KEPT_WARNINGS = 50;

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/** `node ... main.ts` with `env`; every output line goes to `logFile`, warnings are counted. */
export function spawnServer(root: string, env: NodeJS.ProcessEnv, logFile: string): ServerChild {
  const command = [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    'apps/api/src/main.ts',
  ];
  const proc = spawn('node', command, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error('could not spawn the server');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ServerChild = {
    proc,
    pid: proc.pid,
    exited: new Promise((resolve) => {
      proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    }),
    log,
    warnings: [],
    warningCount: 0,
  };
  const onLine = (line: string) => {
    log.write(`${line}\n`);
    const level = /"level":(\d+)/.exec(line);
    const serious = level ? Number(level[1]) >= 40 : /error|fail|warn/i.test(line);
    if (!serious) return;
    child.warningCount++;
    if (child.warnings.length < KEPT_WARNINGS) child.warnings.push(line.slice(0, 600));
    if (child.warningCount <= 5) process.stderr.write(`  server| ${line.slice(0, 300)}\n`);
  };
  createInterface({ input: proc.stdout }).on('line', onLine);
  createInterface({ input: proc.stderr }).on('line', onLine);
  return child;
}

export function alive(child: ServerChild): boolean {
  return child.proc.exitCode === null && child.proc.signalCode === null;
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
export async function waitForHttp200(
  child: ServerChild,
  url: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    if (!alive(child)) throw new Error(`server exited (${await child.exited})`);
    last = await httpStatus(url);
    if (last === 200) return;
    await sleep(500);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last status ${last})`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
export async function stopServer(child: ServerChild, graceMs: number): Promise<number | string> {
  if (!alive(child)) return child.exited;
  child.proc.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  const result = await Promise.race([child.exited, sleep(graceMs).then(() => timedOut)]);
  if (result !== timedOut) return result as number | string;
  progress(`server did not exit ${graceMs} ms after SIGTERM: SIGKILL`);
  child.proc.kill('SIGKILL');
  return child.exited;
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process, in clock ticks; undefined when it is gone. */
function processTicks(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Busy ticks (user + nice + system) of the whole machine, all cores. */
function machineTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system] = fields.slice(1).map(Number);
  return user + nice + system;
}

interface Sample {
  atMs: number;
  ticks: Map<number, number>;
  machine: number;
  rssMb: number;
}

/**
 * Samples, every `intervalMs`, the CPU ticks of named groups of processes (the server, the
 * PostgreSQL backends of the bench database, this process), the machine, and the server's RSS.
 * CPU of a group over a window = the sum, over pids seen at both ends, of their tick deltas.
 */
export class CpuSampler {
  private readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly groups: Record<string, () => number[]>,
    private readonly rssPid: () => number,
  ) {}

  start(intervalMs = 500): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const ticks = new Map<number, number>();
    for (const pids of Object.values(this.groups)) {
      for (const pid of pids()) {
        const t = processTicks(pid);
        if (t !== undefined) ticks.set(pid, t);
      }
    }
    const atMs = Date.now();
    this.samples.push({ atMs, ticks, machine: machineTicks(), rssMb: rssMb(this.rssPid()) });
    // Bounded memory: a run is minutes; keep the last hour at 2 samples a second.
    if (this.samples.length > 7_200) this.samples.shift();
  }

  /** CPU % per group (100 = one core), `other` = machine minus all groups, peak server RSS. */
  window(
    fromMs: number,
    toMs: number,
  ): { cpu: Record<string, number>; otherCpu: number; peakRssMb: number } {
    const inside = this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
    const cpu: Record<string, number> = {};
    if (inside.length < 2) {
      for (const name of Object.keys(this.groups)) cpu[name] = NaN;
      return { cpu, otherCpu: NaN, peakRssMb: NaN };
    }
    const first = inside[0];
    const last = inside[inside.length - 1];
    const seconds = (last.atMs - first.atMs) / 1000;
    const toPercent = (ticks: number) => (100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds;
    let ours = 0;
    for (const [name, pids] of Object.entries(this.groups)) {
      let ticks = 0;
      for (const pid of new Set(pids())) {
        // A pid missing from the first sample started inside the window (a pooled PostgreSQL
        // backend opens and closes with demand): count it from zero. One gone before the end
        // counts up to its last sample.
        const seen = inside.filter((sample) => sample.ticks.has(pid));
        if (seen.length === 0) continue;
        const start = first.ticks.get(pid) ?? 0;
        ticks += (seen[seen.length - 1].ticks.get(pid) as number) - start;
      }
      cpu[name] = toPercent(ticks);
      ours += ticks;
    }
    return {
      cpu,
      otherCpu: Math.max(0, toPercent(last.machine - first.machine - ours)),
      peakRssMb: Math.max(...inside.map((s) => (Number.isFinite(s.rssMb) ? s.rssMb : 0))),
    };
  }
}
