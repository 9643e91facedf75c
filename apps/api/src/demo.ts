import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { AppConfig, ConfigError } from './config/app-config';
import { DemoSettings, loadDemoConfig } from './config/demo-config';
import { stopOnSignals } from './main';
import { RunningServer, startServer } from './server';

/**
 * `npm run demo`: the server on the embedded database, then the seeded simulation against it
 * (a child process, so it shares nothing with the server but the wire), then the server keeps
 * serving until Ctrl-C. DEMO_EXIT=1 exits after the simulation, with its exit code.
 */
const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const SIMULATOR = resolve(REPO_ROOT, 'apps', 'simulator', 'src', 'main.ts');

const log = (line: string) => process.stdout.write(`${line}\n`);

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`${url}/health/ready did not answer 200 within ${timeoutMs} ms`);
}

/**
 * Runs the simulator with its output streamed. It gets its own process group, so Ctrl-C reaches
 * it once, from here: the first asks it to finish early, the second to stop now.
 */
function runSimulator(config: AppConfig, url: string, settings: DemoSettings): Promise<number> {
  const args = [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    SIMULATOR,
    '--url',
    url,
    '--drivers',
    String(settings.drivers),
    '--riders',
    String(settings.riders),
    '--duration',
    String(settings.durationSeconds),
    '--speed-kmh',
    String(settings.speedKmh),
    ...(config.admin
      ? ['--admin-email', config.admin.email, '--admin-password', config.admin.password]
      : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    detached: true,
  });
  let signals = 0;
  const forward = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 2) process.exit(1);
    log(`\n${signal}: stopping the simulation${signals > 1 ? ' now' : ' (again to stop now)'}`);
    child.kill(signals > 1 ? 'SIGTERM' : 'SIGINT');
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((done) => {
    const finish = (code: number) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(signals > 0 ? 130 : code);
    };
    child.once('error', (error) => {
      log(`could not start the simulator: ${error.message}`);
      finish(1);
    });
    child.once('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

function printWhereItIs(config: AppConfig, server: RunningServer): void {
  const admin = config.admin;
  const database = config.database.url
    ? 'PostgreSQL (DATABASE_URL)'
    : config.database.inMemory
      ? 'embedded, in memory'
      : `embedded, data in ${config.database.dataDir}`;
  log('');
  log(`The server is running (${database}):`);
  log(`  API         ${server.url}`);
  log(`  Dashboard   ${server.url}/dashboard`);
  log(`  OpenAPI     ${server.url}/docs`);
  log(`  Health      ${server.url}/health/ready`);
  if (admin) {
    log(`  Admin login ${admin.email} / ${admin.password} (the dashboard's login form)`);
    log(`  Admin       POST ${server.url}/auth/login`);
    log(`              {"email":"${admin.email}","password":"${admin.password}","role":"admin"}`);
    log(`              then GET ${server.url}/admin/stats with the token`);
  }
}

async function demo(): Promise<void> {
  let config: AppConfig;
  let settings: DemoSettings;
  try {
    ({ config, settings } = loadDemoConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const embedded = !config.database.url;
  log(
    `demo: starting the server${embedded ? ' (the first start of the embedded database takes ~10-15 s)' : ''}`,
  );
  const server = await startServer(config);
  await waitReady(server.url, 60_000);
  printWhereItIs(config, server);
  log(
    `demo: simulating ${settings.drivers} drivers and ${settings.riders} riders in rounds of ${settings.durationSeconds} s${settings.exitAfter ? '' : ', until Ctrl-C'}`,
  );

  // Round after round (each with new accounts), so the city on the dashboard keeps moving.
  let code = await runSimulator(config, server.url, settings);
  while (!settings.exitAfter && code === 0) {
    log(`demo: the round ended with exit code ${code}; next round (Ctrl-C stops)`);
    code = await runSimulator(config, server.url, settings);
  }
  log(`demo: the simulation ended with exit code ${code}`);
  if (settings.exitAfter || code === 130) {
    setTimeout(() => process.exit(code), config.shutdownGraceMs).unref();
    await server.close();
    process.exit(code);
  }
  printWhereItIs(config, server);
  log('  Ctrl-C stops the server.');
  stopOnSignals(server, config.shutdownGraceMs);
}

if (require.main === module) {
  demo().catch((error) => {
    process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
