import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CabType, DriverView, LoginResult, RiderView } from '@app/contracts';
import { call, HttpError, RateLimitGate, runPool } from './api';
import type { DriverAccount } from './driver-bot';
import type { RiderAccount } from './rider-bot';
import { FLEET_MIX, World } from './world';

const SIGNUP_CONCURRENCY = 8;
const PASSWORD = 'sim-password-1';
const MODELS = ['Toyota Prius', 'Skoda Octavia', 'Kia Niro', 'Ford Galaxy', 'Mercedes E'];

/** What `--accounts-file` keeps between runs: the accounts of one seed on one server. */
interface SavedAccounts {
  seed: number;
  url: string;
  drivers: DriverAccount[];
  riders: RiderAccount[];
}

/**
 * The run's accounts. Without `--accounts-file`, new ones (emails tagged with the run). With
 * it, the accounts of an earlier run with the same seed and server are reused when the server
 * still knows them (one GET /…/me each for a sample), the missing ones signed up (emails tagged
 * with the seed; an email the server already has is logged in to) and the file rewritten.
 * Sign-up is what a short run spends most of its time on: argon2 per account.
 */
export async function accountsFor(
  world: World,
  gate: RateLimitGate,
): Promise<{ drivers: DriverAccount[]; riders: RiderAccount[]; reused: number }> {
  const { options } = world;
  const file = options.accountsFile;
  const saved = file ? await loadValid(file, world) : null;
  const tag = file ? `S${options.seed}` : world.runTag;
  const drivers = await signUpAll(world, gate, 'drivers', options.drivers, saved?.drivers, (i) =>
    signUpDriver(world, tag, i),
  );
  const riders = await signUpAll(world, gate, 'riders', options.riders, saved?.riders, (i) =>
    signUpRider(world, tag, i),
  );
  if (file) {
    const keep: SavedAccounts = {
      seed: options.seed,
      url: options.url,
      drivers: longest(drivers, saved?.drivers),
      riders: longest(riders, saved?.riders),
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(keep));
  }
  const reused =
    Math.min(options.drivers, saved?.drivers.length ?? 0) +
    Math.min(options.riders, saved?.riders.length ?? 0);
  return { drivers, riders, reused };
}

const longest = <T>(now: T[], before: T[] | undefined) =>
  before && before.length > now.length ? [...now, ...before.slice(now.length)] : now;

async function loadValid(file: string, world: World): Promise<SavedAccounts | null> {
  if (!existsSync(file)) return null;
  let saved: SavedAccounts;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as SavedAccounts;
  } catch {
    return null;
  }
  const { seed, url } = world.options;
  if (saved.seed !== seed || saved.url !== url) return null;
  // A fresh database (or another JWT secret) does not know them: sign up again.
  const probes = [
    ...saved.drivers.slice(0, 1).map((a) => ['/drivers/me', a.token]),
    ...saved.riders.slice(0, 1).map((a) => ['/riders/me', a.token]),
  ];
  for (const [path, token] of probes) {
    try {
      await call(url, 'GET', path, { token });
    } catch {
      world.log(`  saved accounts in ${file} are unknown to this server: signing up anew`);
      return null;
    }
  }
  return saved;
}

async function signUpAll<T>(
  world: World,
  gate: RateLimitGate,
  what: string,
  count: number,
  saved: readonly T[] | undefined,
  signUp: (index: number) => Promise<T>,
): Promise<T[]> {
  const reuse = (saved ?? []).slice(0, count);
  if (reuse.length > 0) world.log(`  reusing ${reuse.length} ${what} of an earlier run`);
  let done = reuse.length;
  let lastLogMs = Date.now();
  const indexes = Array.from({ length: count - reuse.length }, (_, i) => reuse.length + i);
  const fresh = await runPool(indexes, SIGNUP_CONCURRENCY, async (i) => {
    const account = await gate.run(`signing up ${what}`, () => signUp(i));
    done += 1;
    if (Date.now() - lastLogMs > 2_000 || done === count) {
      lastLogMs = Date.now();
      world.log(`  signed up ${done}/${count} ${what}`);
    }
    return account;
  });
  return [...reuse, ...fresh];
}

/** Sign-up, or a login when the email is taken (an earlier run with the same seed). */
async function signUpOrLogin<T>(
  world: World,
  signUp: () => Promise<T>,
  login: { email: string; role: 'driver' | 'rider' },
  toAccount: (result: LoginResult) => Promise<T>,
): Promise<T> {
  try {
    return await signUp();
  } catch (error) {
    if (!(error instanceof HttpError) || error.code !== 'CONFLICT') throw error;
    const result = await call<LoginResult>(world.options.url, 'POST', '/auth/login', {
      body: { email: login.email, password: PASSWORD, role: login.role },
    });
    return toAccount(result);
  }
}

function signUpDriver(world: World, tag: string, i: number): Promise<DriverAccount> {
  const { url } = world.options;
  const rng = world.rng('fleet', i);
  const cabType: CabType = rng.weighted(FLEET_MIX);
  const email = `sim-${tag}-d${i}@example.com`.toLowerCase();
  const body = {
    name: `Sim Driver ${i + 1}`,
    email,
    password: PASSWORD,
    vehicle: {
      plate: `${tag}-${i.toString(36)}`.toUpperCase(),
      model: MODELS[rng.int(0, MODELS.length - 1)],
      cabType,
    },
  };
  return signUpOrLogin(
    world,
    async () => {
      const res = await call<{ driver: DriverView; accessToken: string }>(
        url,
        'POST',
        '/auth/drivers',
        { body },
      );
      return { id: res.driver.id, token: res.accessToken, cabType: res.driver.vehicle.cabType };
    },
    { email, role: 'driver' },
    async (login) => {
      const { driver } = await call<{ driver: DriverView }>(url, 'GET', '/drivers/me', {
        token: login.accessToken,
      });
      return { id: login.id, token: login.accessToken, cabType: driver.vehicle.cabType };
    },
  );
}

function signUpRider(world: World, tag: string, i: number): Promise<RiderAccount> {
  const { url } = world.options;
  const email = `sim-${tag}-r${i}@example.com`.toLowerCase();
  const body = { name: `Sim Rider ${i + 1}`, email, password: PASSWORD };
  return signUpOrLogin(
    world,
    async () => {
      const res = await call<{ rider: RiderView; accessToken: string }>(
        url,
        'POST',
        '/auth/riders',
        { body },
      );
      return { id: res.rider.id, token: res.accessToken };
    },
    { email, role: 'rider' },
    (login) => Promise.resolve({ id: login.id, token: login.accessToken }),
  );
}
