import { CancellationPolicy, DEFAULT_TARIFFS, FareBand, Tariffs } from '@app/domain';
import { envSchema, Env } from './config.schema';

/** The one typed configuration object, built once at boot. Nothing else reads the environment. */
export interface AppConfig {
  /** What this process runs (PROCESS_ROLES). */
  roles: { api: boolean; worker: boolean };
  http: { host: string; port: number };
  logLevel: Env['LOG_LEVEL'];
  database: { url?: string; dataDir: string; inMemory: boolean };
  redis: { url?: string };
  auth: { jwtSecret: string; jwtTtlSeconds: number; rateLimit: number; rateWindowSeconds: number };
  admin?: { email: string; password: string };
  payments: {
    webhookSecret: string;
    retryBaseMs: number;
    maxAttempts: number;
    sandboxDelayMs: number;
    webhookUrl?: string;
  };
  fares: {
    tariffs: Tariffs;
    currency: string;
    quoteTtlSeconds: number;
    band: FareBand;
    cancellation: CancellationPolicy;
  };
  surge: { intervalMs: number; demandWindowSeconds: number; cap: number };
  shutdownGraceMs: number;
  sockets: {
    handshakeBurst: number;
    handshakesPerSecond: number;
    connectTimeoutMs: number;
    idleTimeoutMs: number;
  };
  locations: {
    staleAfterMs: number;
    offlineAfterMs: number;
    flushIntervalMs: number;
    streamMaxLen: number;
    /** Records per Redis write (one MULTI) of a flush. */
    redisWriteRecords: number;
    /** Geohash characters followed, or '*' for every partition. */
    partitions: '*' | string[];
    dbWriteIntervalMs: number;
    cabsPushIntervalMs: number;
  };
  eta: { citySpeedKmh: number; roadFactor: number };
  matching: {
    radiiMeters: number[];
    maxOffers: number;
    maxMs: number;
    offerTimeoutMs: number;
    retryMs: number;
    sweepIntervalMs: number;
    driverLostMs: number;
    strategy: 'sequential' | 'batched';
    batchWindowMs: number;
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an environment (process.env by default, a plain record in tests) into AppConfig. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings count as unset, as docker-compose and shells often pass `VAR=`.
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    roles: e.PROCESS_ROLES,
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR, inMemory: e.EMBEDDED_IN_MEMORY },
    redis: { url: e.REDIS_URL },
    auth: {
      jwtSecret: e.JWT_SECRET,
      jwtTtlSeconds: e.JWT_TTL_SECONDS,
      rateLimit: e.AUTH_RATE_LIMIT,
      rateWindowSeconds: e.AUTH_RATE_WINDOW_SECONDS,
    },
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD }
        : undefined,
    payments: {
      webhookSecret: e.PAYMENT_WEBHOOK_SECRET,
      retryBaseMs: e.PAYMENT_RETRY_BASE_MS,
      maxAttempts: e.PAYMENT_MAX_ATTEMPTS,
      sandboxDelayMs: e.PAYMENT_SANDBOX_DELAY_MS,
      webhookUrl: e.PAYMENT_WEBHOOK_URL,
    },
    fares: {
      tariffs: {
        ECONOMY: { ...DEFAULT_TARIFFS.ECONOMY, ...e.FARE_TARIFFS.ECONOMY },
        XL: { ...DEFAULT_TARIFFS.XL, ...e.FARE_TARIFFS.XL },
        PREMIUM: { ...DEFAULT_TARIFFS.PREMIUM, ...e.FARE_TARIFFS.PREMIUM },
      },
      currency: e.FARE_CURRENCY,
      quoteTtlSeconds: e.QUOTE_TTL_SECONDS,
      band: { band: e.FARE_BAND_PERCENT / 100, routeChangeRatio: e.ROUTE_CHANGE_PERCENT / 100 },
      cancellation: {
        graceSeconds: e.CANCELLATION_GRACE_SECONDS,
        feeMinor: e.CANCELLATION_FEE_MINOR,
      },
    },
    surge: {
      intervalMs: e.SURGE_INTERVAL_MS,
      demandWindowSeconds: e.SURGE_DEMAND_WINDOW_SECONDS,
      cap: e.SURGE_CAP,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    sockets: {
      handshakeBurst: e.SOCKET_HANDSHAKE_BURST,
      handshakesPerSecond: e.SOCKET_HANDSHAKES_PER_SECOND,
      connectTimeoutMs: e.SOCKET_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.SOCKET_IDLE_TIMEOUT_MS,
    },
    locations: {
      staleAfterMs: e.DRIVER_STALE_AFTER_MS,
      offlineAfterMs: e.DRIVER_OFFLINE_AFTER_MS,
      flushIntervalMs: e.LOCATION_FLUSH_INTERVAL_MS,
      streamMaxLen: e.LOCATION_STREAM_MAXLEN,
      redisWriteRecords: e.LOCATION_REDIS_WRITE_RECORDS,
      partitions: e.LOCATION_PARTITIONS === '*' ? '*' : e.LOCATION_PARTITIONS.split(','),
      dbWriteIntervalMs: e.LOCATION_DB_WRITE_INTERVAL_MS,
      cabsPushIntervalMs: e.CABS_PUSH_INTERVAL_MS,
    },
    eta: { citySpeedKmh: e.CITY_SPEED_KMH, roadFactor: e.ROAD_FACTOR },
    matching: {
      radiiMeters: e.MATCH_RADII_METERS,
      maxOffers: e.MATCH_MAX_OFFERS,
      maxMs: e.MATCH_MAX_MS,
      offerTimeoutMs: e.OFFER_TIMEOUT_MS,
      retryMs: e.MATCH_RETRY_MS,
      sweepIntervalMs: e.SWEEP_INTERVAL_MS,
      driverLostMs: e.TRIP_DRIVER_LOST_MS,
      strategy: e.MATCH_STRATEGY,
      batchWindowMs: e.MATCH_BATCH_WINDOW_MS,
    },
  };
}
