import { AppConfig, ConfigError, loadConfig } from './app-config';

/** What `npm run demo` changes from the server's defaults; anything set in the environment wins. */
const DEMO_DEFAULTS: Record<string, string> = {
  PORT: '3000',
  HOST: '127.0.0.1',
  ADMIN_EMAIL: 'admin@demo.local',
  ADMIN_PASSWORD: 'demo-admin-password',
  AUTH_RATE_LIMIT: '100000',
  LOG_LEVEL: 'warn',
};

export interface DemoSettings {
  drivers: number;
  riders: number;
  durationSeconds: number;
  /** Simulated driving speed: time-lapse by default, so trips complete within the demo. */
  speedKmh: number;
  exitAfter: boolean;
}

/** The server's config and the demo's settings, from one environment (process.env by default). */
export function loadDemoConfig(source: Record<string, string | undefined> = process.env): {
  config: AppConfig;
  settings: DemoSettings;
} {
  const env: Record<string, string | undefined> = { ...DEMO_DEFAULTS, ...source };
  const config = loadConfig(env);
  const count = (name: string, fallback: number, max: number): number => {
    const value = Number(env[name] || fallback);
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new ConfigError([`${name}: must be an integer in [0, ${max}]`]);
    }
    return value;
  };
  return {
    config,
    settings: {
      drivers: count('DEMO_DRIVERS', 200, 5_000),
      riders: count('DEMO_RIDERS', 100, 5_000),
      durationSeconds: Math.max(1, count('DEMO_DURATION_SECONDS', 60, 3_600)),
      speedKmh: Math.max(5, count('DEMO_SPEED_KMH', 150, 250)),
      exitAfter: env.DEMO_EXIT === '1' || env.DEMO_EXIT === 'true',
    },
  };
}
