import { SCENARIO_NAMES, ScenarioName } from './scenarios';

/** Command-line flags (`--name value` or `--name=value`), each with an environment fallback. */
export interface SimOptions {
  /** The first of `urls`: for HTTP calls. */
  url: string;
  /** Every api process given (`--url a,b`): sockets spread over them and fail over. */
  urls: string[];
  drivers: number;
  riders: number;
  durationSeconds: number;
  seed: number;
  city: { lat: number; lng: number };
  radiusKm: number;
  speedKmh: number;
  admin?: { email: string; password: string };
  /** A named demand preset (`scenarios.ts`); without one, the classic loop of 2-12 s pauses. */
  scenario?: ScenarioName;
  /** Simulated seconds per real second: cars drive and riders request this much faster. */
  timeScale: number;
  /** Reuse the accounts of an earlier run with the same seed (and save this run's) here. */
  accountsFile?: string;
  /** Write the run's counters as JSON here at the end. */
  reportJson?: string;
}

export class OptionsError extends Error {}

interface Spec {
  flag: string;
  env: string;
  help: string;
  fallback?: string;
}

const SPECS: Spec[] = [
  {
    flag: 'url',
    env: 'SIM_URL',
    help: 'server base URL (127.0.0.1 only); several, comma-separated, for api processes of one city',
    fallback: 'http://127.0.0.1:3000',
  },
  { flag: 'drivers', env: 'SIM_DRIVERS', help: 'drivers to simulate', fallback: '200' },
  { flag: 'riders', env: 'SIM_RIDERS', help: 'riders to simulate', fallback: '100' },
  { flag: 'duration', env: 'SIM_DURATION_SECONDS', help: 'seconds of traffic', fallback: '60' },
  { flag: 'seed', env: 'SIM_SEED', help: 'PRNG seed', fallback: '42' },
  { flag: 'city-lat', env: 'SIM_CITY_LAT', help: 'city centre latitude', fallback: '51.5074' },
  { flag: 'city-lng', env: 'SIM_CITY_LNG', help: 'city centre longitude', fallback: '-0.1278' },
  { flag: 'radius-km', env: 'SIM_RADIUS_KM', help: 'city radius in km', fallback: '8' },
  { flag: 'speed-kmh', env: 'SIM_SPEED_KMH', help: 'driving speed in km/h', fallback: '30' },
  { flag: 'admin-email', env: 'SIM_ADMIN_EMAIL', help: 'admin login, for /admin/stats at the end' },
  { flag: 'admin-password', env: 'SIM_ADMIN_PASSWORD', help: 'admin password' },
  {
    flag: 'scenario',
    env: 'SIM_SCENARIO',
    help: `demand preset: ${SCENARIO_NAMES.join(', ')} (Poisson arrivals, cancels, driver breaks)`,
  },
  {
    flag: 'time-scale',
    env: 'SIM_TIME_SCALE',
    help: 'simulated seconds per real second (cars drive, riders request that much faster)',
    fallback: '1',
  },
  {
    flag: 'accounts-file',
    env: 'SIM_ACCOUNTS_FILE',
    help: 'reuse the accounts of an earlier run with the same seed, kept in this JSON file',
  },
  { flag: 'report-json', env: 'SIM_REPORT_JSON', help: "write the run's counters here as JSON" },
];

export function usage(): string {
  const rows = SPECS.map(
    (s) =>
      `  --${s.flag.padEnd(16)} ${s.env.padEnd(22)} ${s.help}${s.fallback ? ` (default ${s.fallback})` : ''}`,
  );
  return ['usage: simulate [--flag value]...', '  flag               env', ...rows].join('\n');
}

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SimOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new OptionsError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!SPECS.some((s) => s.flag === name)) throw new OptionsError(`unknown flag --${name}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new OptionsError(`--${name} needs a value`);
    flags.set(name, value);
  }
  const raw = (flag: string): string | undefined => {
    const spec = SPECS.find((s) => s.flag === flag) as Spec;
    return flags.get(flag) ?? (env[spec.env] || undefined) ?? spec.fallback;
  };
  const num = (flag: string, min: number, max: number, integer = true): number => {
    const value = Number(raw(flag));
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new OptionsError(
        `--${flag} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`,
      );
    }
    return value;
  };

  // Several URLs (comma-separated): api processes of one city; bots spread over them and fail over.
  const urls = (raw('url') as string).split(',').map((u) => u.trim().replace(/\/+$/, ''));
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OptionsError(`--url "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' || parsed.hostname !== '127.0.0.1') {
      throw new OptionsError(
        `--url must be http://127.0.0.1[:port] (this tool only targets the local machine)`,
      );
    }
  }
  const url = urls[0];
  const email = raw('admin-email');
  const password = raw('admin-password');
  if (Boolean(email) !== Boolean(password)) {
    throw new OptionsError('--admin-email and --admin-password go together');
  }
  const scenario = raw('scenario');
  if (scenario !== undefined && !(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    throw new OptionsError(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}`);
  }
  const timeScale = num('time-scale', 0.1, 20, false);
  const speedKmh = num('speed-kmh', 5, 250, false);
  if (speedKmh * timeScale > 280) {
    throw new OptionsError(
      `--speed-kmh x --time-scale is ${speedKmh * timeScale} km/h of real driving: the server ` +
        'refuses jumps faster than 300 km/h; lower one of them',
    );
  }
  return {
    url,
    urls,
    drivers: num('drivers', 0, 5_000),
    riders: num('riders', 0, 5_000),
    durationSeconds: num('duration', 1, 3_600),
    seed: num('seed', 0, 4_294_967_295),
    city: { lat: num('city-lat', -85, 85, false), lng: num('city-lng', -180, 180, false) },
    radiusKm: num('radius-km', 1, 100, false),
    speedKmh,
    admin: email && password ? { email, password } : undefined,
    scenario: scenario as ScenarioName | undefined,
    timeScale,
    accountsFile: raw('accounts-file'),
    reportJson: raw('report-json'),
  };
}
