import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ConfigError } from './config/app-config';
import { ClusterSettings, loadClusterConfig } from './config/cluster-config';
import { SERVER_NODE_FLAGS } from './node-flags';

/**
 * `npm run cluster`: one city on several processes of this machine, on the real PostgreSQL and
 * Redis given by DATABASE_URL and REDIS_URL. CLUSTER_API (default 2) api processes listen on
 * PORT, PORT+1, ... (default 3000); CLUSTER_WORKERS (default 1) worker processes answer only
 * /health and /metrics on the ports after them. The first process starts alone (it runs the
 * migrations); Ctrl-C stops them all. Each process is `apps/api/src/main.ts` with its
 * PROCESS_ROLES; put a load balancer that forwards websockets in front of the api ports (see
 * docker-compose.yml), or give clients several URLs: no sticky sessions are needed.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const log = (line: string) => process.stdout.write(`${line}\n`);

async function waitLive(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited ${child.exitCode}`);
    const ok = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 300));
  }
  throw new Error(`${url}/health/live did not answer within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  let settings: ClusterSettings;
  try {
    settings = loadClusterConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `${error.message}\n(the embedded default is one process: npm start / npm run demo)\n`,
    );
    process.exit(2);
  }
  const { apis, workers, basePort, env } = settings;
  const plan = [
    ...Array.from({ length: apis }, (_, i) => ({ name: `api-${i + 1}`, roles: 'api' })),
    ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}`, roles: 'worker' })),
  ].map((p, i) => ({ ...p, port: basePort + i }));

  const children: ChildProcess[] = [];
  const stop = (signal: NodeJS.Signals) => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const launch = async (p: (typeof plan)[number]) => {
    const child = spawn(
      process.execPath,
      [
        ...SERVER_NODE_FLAGS,
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/api/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: { ...env, PORT: String(p.port), PROCESS_ROLES: p.roles },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(child);
    child.on('exit', (code, signal) =>
      log(`${p.name} (pid ${child.pid}) exited ${signal ?? code}`),
    );
    const url = `http://127.0.0.1:${p.port}`;
    await waitLive(url, child);
    log(`${p.name.padEnd(9)} pid ${String(child.pid).padEnd(7)} ${p.roles.padEnd(7)} ${url}`);
  };

  const [first, ...rest] = plan;
  if (!first) return;
  await launch(first);
  await Promise.all(rest.map(launch));
  log(`cluster up: ${apis} api and ${workers} worker processes; Ctrl-C stops them`);
}

main().catch((error) => {
  process.stderr.write(`cluster: ${(error as Error).message}\n`);
  process.exit(1);
});
