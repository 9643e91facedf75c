import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './services';
import { TEST_ADMIN, TEST_JWT_SECRET } from './test-server';

const ROOT = join(__dirname, '..', '..');

/** A server process this test started: killed only by its own pid. */
export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  /** The last lines it printed, for a failure message. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `apps/api/src/main.ts` in a process of its own with these roles, on the test services,
 * and resolves once it answers `/health/live` (bounded: `startTimeoutMs`).
 */
export async function startServerProcess(
  name: string,
  roles: 'api' | 'worker' | 'api,worker',
  env: Record<string, string> = {},
  startTimeoutMs = 60_000,
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/api/src/main.ts',
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_EMAIL: TEST_ADMIN.email,
        ADMIN_PASSWORD: TEST_ADMIN.password,
        AUTH_RATE_LIMIT: '10000',
        PROCESS_ROLES: roles,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const proc: ServerProcess = {
    name,
    pid: child.pid as number,
    url,
    output: () => lines.join('\n'),
    kill: (signal = 'SIGKILL') => killed(child, signal),
  };
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited ${child.exitCode}:\n${proc.output()}`);
    const up = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return proc;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await proc.kill();
  throw new Error(`${name} did not start within ${startTimeoutMs} ms:\n${proc.output()}`);
}

function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(child.pid as number, signal);
  });
}
