import { AppConfig, loadConfig } from '../../apps/api/src/config/app-config';
import { RunningServer, startServer } from '../../apps/api/src/server';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './services';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_ADMIN = { email: 'admin@test.local', password: 'admin-password' };

/**
 * The config the e2e tier boots with: real PostgreSQL + Redis, a free port on 127.0.0.1.
 * `TEST_MATCH_STRATEGY=sequential npm run test:e2e` runs the suite under the other dispatch
 * strategy than the default (batched); a spec's own override still wins.
 */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const strategy = process.env.TEST_MATCH_STRATEGY;
  return loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    AUTH_RATE_LIMIT: '10000',
    ...(strategy ? { MATCH_STRATEGY: strategy } : {}),
    ...overrides,
  });
}

export function startTestServer(overrides: Record<string, string> = {}): Promise<RunningServer> {
  return startServer(testConfig(overrides));
}

let counter = 0;
/** Unique per run, so tests never collide on unique emails or plates. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e6)}`;
}
