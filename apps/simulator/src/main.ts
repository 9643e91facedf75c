import { writeFileSync } from 'node:fs';
import type { LoginResult } from '@app/contracts';
import { accountsFor } from './accounts';
import { call, HttpError, RateLimitGate, runPool, Unreachable, waitReady } from './api';
import { DriverBot } from './driver-bot';
import { OptionsError, parseOptions, SimOptions, usage } from './options';
import { RiderBot } from './rider-bot';
import { Counter, formatSummary, Stats } from './stats';
import { World } from './world';

const CONNECT_CONCURRENCY = 25;
const DRAIN_MS = 20_000;
const PROGRESS_EVERY_MS = 5_000;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function adminStats(
  options: SimOptions,
  gate: RateLimitGate,
  warnings: Counter,
): Promise<string> {
  if (!options.admin) return '  (pass --admin-email/--admin-password to include it)';
  const admin = options.admin;
  try {
    const login = await gate.run('admin login', () =>
      call<LoginResult>(options.url, 'POST', '/auth/login', { body: { ...admin, role: 'admin' } }),
    );
    const stats = await call<{ trips?: { open?: number } }>(options.url, 'GET', '/admin/stats', {
      token: login.accessToken,
    });
    const open = stats.trips?.open ?? 0;
    if (open > 0) warnings.add(`server reports ${open} open trip(s) after the drain`);
    return JSON.stringify(stats, null, 2)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n');
  } catch (error) {
    return `  (unavailable: ${(error as Error).message})`;
  }
}

function startProgress(world: World, drivers: DriverBot[], riders: RiderBot[]): NodeJS.Timeout {
  let lastPings = 0;
  let lastMs = Date.now();
  return setInterval(() => {
    const { stats } = world;
    const now = Date.now();
    const rate = ((stats.pings.sent - lastPings) * 1000) / (now - lastMs);
    lastPings = stats.pings.sent;
    lastMs = now;
    const online = drivers.filter((d) => d.online).length;
    const open = riders.filter((r) => r.hasOpenTrip).length;
    log(
      `[${stats.trafficSeconds().toFixed(0).padStart(4)} s] ${world.phase.padEnd(8)} | drivers online ${online}/${drivers.length}` +
        ` (on trip ${drivers.filter((d) => d.onTrip).length}) | open trips ${open}` +
        ` | requested ${stats.trips.get('requested')} | completed ${stats.trips.get('completed')}` +
        ` | offers ${stats.offers.get('received')} | pings/s ${rate.toFixed(1)}`,
    );
  }, PROGRESS_EVERY_MS);
}

/** Waits until no rider has an open trip, or the deadline. */
async function waitForOpenTrips(world: World, riders: RiderBot[], deadlineMs: number) {
  for (let i = 0; i < 1_000 && Date.now() < deadlineMs; i += 1) {
    if (!riders.some((r) => r.hasOpenTrip)) return;
    if (!(await world.sleep(250, 'stopped'))) return;
  }
}

function connectAll<B extends DriverBot | RiderBot>(world: World, bots: B[], what: string) {
  return runPool(bots, CONNECT_CONCURRENCY, async (bot) => {
    try {
      await bot.start();
      return bot;
    } catch (error) {
      world.stats.error(`connect ${what}`, (error as Error).message);
      return null;
    }
  }).then((started) => started.filter((b): b is B => b !== null));
}

/** The run's counters, for the dispatch comparison (`bench/dispatch/compare.ts`). */
function writeReport(file: string, stats: Stats, signUpSeconds: number): void {
  const counts = (c: Counter) => Object.fromEntries(c.entries());
  const report = {
    signUpSeconds,
    trafficSeconds: stats.trafficSeconds(),
    trips: counts(stats.trips),
    offers: counts(stats.offers),
    driverMs: counts(stats.driverMs),
    errors: counts(stats.errors),
    violations: stats.violations,
  };
  writeFileSync(file, JSON.stringify(report, null, 2));
}

export async function simulate(options: SimOptions): Promise<number> {
  const world = new World(options, log);
  const { stats } = world;
  const gate = new RateLimitGate(log);
  log(
    `simulator: ${options.drivers} drivers, ${options.riders} riders, ${options.durationSeconds} s, ` +
      `seed ${options.seed}, city ${options.city.lat},${options.city.lng} r=${options.radiusKm} km, ` +
      `${options.speedKmh} km/h, target ${options.url}, run ${world.runTag}` +
      (options.scenario ? `, scenario ${options.scenario} at x${options.timeScale} time` : ''),
  );
  await waitReady(options.url, 10_000);

  let interrupted = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted += 1;
    const stopNow = signal === 'SIGTERM' || interrupted > 1;
    log(`\n${signal}: ${stopNow ? 'stopping now' : 'finishing early (again to stop now)'}`);
    world.setPhase(stopNow ? 'stopped' : 'draining');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const signUpStartedMs = Date.now();
  const accounts = await accountsFor(world, gate);
  const signUpSeconds = (Date.now() - signUpStartedMs) / 1000;
  log(
    `accounts ready in ${signUpSeconds.toFixed(1)} s (${accounts.reused} reused, ` +
      `${options.drivers + options.riders - accounts.reused} signed up)`,
  );
  const driverAccounts = accounts.drivers;
  const riderAccounts = accounts.riders;
  const drivers = await connectAll(
    world,
    driverAccounts.map((a, i) => new DriverBot(i, a, world)),
    'driver',
  );
  const riders = await connectAll(
    world,
    riderAccounts.map((a, i) => new RiderBot(i, a, world)),
    'rider',
  );
  log(`connected ${drivers.length} drivers (AVAILABLE) and ${riders.length} riders; running`);

  stats.trafficStartedAtMs = Date.now();
  const progress = startProgress(world, drivers, riders);
  const loops = riders.map((r) => r.run());
  await world.sleep(options.durationSeconds * 1000);

  world.setPhase('draining');
  log(
    `${interrupted > 0 ? 'interrupted' : 'time is up'}: riders stop requesting; ` +
      `open trips finish fast (up to ${DRAIN_MS / 1000} s)`,
  );
  const deadlineMs = Date.now() + DRAIN_MS;
  await Promise.all([...riders.map((r) => r.drain()), ...drivers.map((d) => d.finish(deadlineMs))]);
  await waitForOpenTrips(world, riders, deadlineMs);
  await Promise.all(riders.map((r) => r.settle()));

  world.setPhase('stopped');
  clearInterval(progress);
  await Promise.all(drivers.map((d) => d.stop()));
  riders.forEach((r) => r.stop());
  await Promise.all(loops);

  let serverUp = true;
  try {
    await waitReady(options.url, 5_000);
  } catch {
    serverUp = false;
    stats.violation(`the server stopped answering ${options.url}/health/ready during the run`);
  }
  const admin = serverUp ? await adminStats(options, gate, stats.warnings) : '  (server down)';
  log(
    formatSummary(
      stats,
      {
        drivers: drivers.length,
        riders: riders.length,
        seed: options.seed,
      },
      admin,
    ),
  );
  if (options.reportJson) writeReport(options.reportJson, stats, signUpSeconds);
  if (!serverUp) return 2;
  if (stats.violations.length > 0) return 1;
  return interrupted > 0 ? 130 : 0;
}

if (require.main === module) {
  let options: SimOptions;
  try {
    if (process.argv.includes('--help')) {
      log(usage());
      process.exit(0);
    }
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n${usage()}\n`);
    process.exit(2);
  }
  simulate(options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof Unreachable) {
        process.stderr.write(`simulator: the server is unreachable: ${error.message}\n`);
        process.exit(2);
      }
      if (error instanceof HttpError) {
        process.stderr.write(`simulator: the server refused a setup call: ${error.message}\n`);
        process.exit(3);
      }
      process.stderr.write(`simulator failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
