import { z } from 'zod';

/** Values that would be unsafe in production; accepted elsewhere so `npm run demo` needs no setup. */
const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_WEBHOOK_SECRET = 'dev-only-payment-webhook-secret';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

const tariffFields = z
  .object({
    baseMinor: z.number().int().min(0),
    perKmMinor: z.number().int().min(0),
    perMinuteMinor: z.number().int().min(0),
    minimumMinor: z.number().int().min(0),
    bookingFeeMinor: z.number().int().min(0),
  })
  .partial()
  .strict();
const tariffOverrides = z
  .object({ ECONOMY: tariffFields, XL: tariffFields, PREMIUM: tariffFields })
  .partial()
  .strict();

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    /** Unset: the embedded PGlite + PostGIS database (see README, "Embedded default"). */
    DATABASE_URL: url(['postgres', 'postgresql']).optional(),
    /** Where the embedded database keeps its files. */
    DATA_DIR: z.string().min(1).default('.data/pglite'),
    /** Keep the embedded database in memory only (nothing written to DATA_DIR). */
    EMBEDDED_IN_MEMORY: bool.default(false),
    /** Unset: BullMQ runs on its PostgreSQL backend, throttling in memory. */
    REDIS_URL: url(['redis', 'rediss']).optional(),

    /**
     * What this process runs: `api` (HTTP and socket.io), `worker` (BullMQ processors and the
     * city-wide duties), or both (the default: one process does everything).
     */
    PROCESS_ROLES: z
      .string()
      .regex(/^(api|worker)(,(api|worker))*$/, 'must be api, worker or api,worker')
      .default('api,worker')
      .transform((value) => {
        const roles = value.split(',');
        return { api: roles.includes('api'), worker: roles.includes('worker') };
      }),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
    JWT_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    PAYMENT_WEBHOOK_SECRET: z
      .string()
      .min(16, 'must be at least 16 characters')
      .default(DEV_WEBHOOK_SECRET),

    /** Sign-up and login attempts allowed per IP per window. */
    AUTH_RATE_LIMIT: z.coerce.number().int().positive().default(20),
    AUTH_RATE_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
    /** Socket handshakes one IP may start at once, then per second (before any token check). */
    SOCKET_HANDSHAKE_BURST: z.coerce.number().int().positive().default(1_000),
    SOCKET_HANDSHAKES_PER_SECOND: z.coerce.number().positive().default(500),
    /** A socket that joined no namespace (refused token) is closed after this. */
    SOCKET_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
    /** A driver socket silent this long (no ping, no event) is disconnected. */
    SOCKET_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),

    /** A driver whose last ping is older than this is not offered trips nor shown to riders. */
    DRIVER_STALE_AFTER_MS: z.coerce.number().int().positive().default(15_000),
    /** After this long without a ping an AVAILABLE driver is set OFFLINE. */
    DRIVER_OFFLINE_AFTER_MS: z.coerce.number().int().positive().default(120_000),
    /**
     * How often a process publishes its drivers' moves and status changes: to the other
     * processes (Redis Streams) and the live store (Redis hash), in one batch.
     */
    LOCATION_FLUSH_INTERVAL_MS: z.coerce.number().int().positive().default(250),
    /** Entries kept per location stream partition (each entry is one flush's batch). */
    LOCATION_STREAM_MAXLEN: z.coerce.number().int().positive().default(10_000),
    /**
     * Records per Redis write of a flush (one MULTI: hash fields and stream entries): a few ms
     * of encoding each, so a flush of many drivers never holds the event loop for long.
     */
    LOCATION_REDIS_WRITE_RECORDS: z.coerce.number().int().positive().max(100_000).default(500),
    /**
     * Which partitions (first geohash character of a driver's position) this process follows:
     * `*` for all, or a list such as `u,g` for a process serving only those regions.
     */
    LOCATION_PARTITIONS: z
      .string()
      .regex(
        /^(\*|[0-9b-hjkmnp-z](,[0-9b-hjkmnp-z])*)$/,
        'must be * or geohash characters, e.g. u,g',
      )
      .default('*'),
    /** How often, at most, one driver's location is written to PostgreSQL. */
    LOCATION_DB_WRITE_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
    /** How often `cabs:watch` pushes `cabs:nearby`. */
    CABS_PUSH_INTERVAL_MS: z.coerce.number().int().positive().default(3_000),
    /** Search radii of successive matching rounds, in metres. */
    MATCH_RADII_METERS: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of metres, e.g. 2000,4000,8000')
      .default('2000,4000,8000')
      .transform((value) => value.split(',').map(Number)),
    /** A trip ends NO_DRIVER_FOUND after this many offers, or MATCH_MAX_MS after the request. */
    MATCH_MAX_OFFERS: z.coerce.number().int().positive().default(10),
    MATCH_MAX_MS: z.coerce.number().int().positive().default(120_000),
    /** How long a driver has to answer an offer. */
    OFFER_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /** When no driver is in reach, look again after this long. */
    MATCH_RETRY_MS: z.coerce.number().int().positive().default(3_000),
    /** How often the sweeper looks for stuck trips. */
    SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
    /** An IN_PROGRESS trip whose driver has been silent this long is ended by the sweeper. */
    TRIP_DRIVER_LOST_MS: z.coerce.number().int().positive().default(600_000),
    /**
     * How dispatch picks drivers: one trip at a time, or in windows solved as an assignment
     * (batched: the default, as it measures better where drivers are few; see the README).
     */
    MATCH_STRATEGY: z.enum(['sequential', 'batched']).default('batched'),
    /** The batched strategy's window: every this long, each region's waiting trips are solved. */
    MATCH_BATCH_WINDOW_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
    CITY_SPEED_KMH: z.coerce.number().positive().max(200).default(25),
    ROAD_FACTOR: z.coerce.number().min(1).max(3).default(1.3),
    /**
     * Per-cab-type tariff overrides as JSON, merged over the defaults in libs/domain/src/fares.ts,
     * e.g. `{"ECONOMY":{"baseMinor":300,"bookingFeeMinor":0}}`.
     */
    FARE_TARIFFS: z
      .string()
      .default('{}')
      .transform((value, ctx) => {
        try {
          return tariffOverrides.parse(JSON.parse(value));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `must be JSON tariffs: ${String(error)}` });
          return z.NEVER;
        }
      }),
    /** ISO currency of every fare. */
    FARE_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
      .default('USD'),
    /** How long a quote from GET /trips/estimate can be booked. */
    QUOTE_TTL_SECONDS: z.coerce.number().int().positive().default(120),
    /** The final fare stays within this percentage of the quote unless the route changed. */
    FARE_BAND_PERCENT: z.coerce.number().min(0).max(100).default(20),
    /** The route changed when the distance driven is this percentage off the quoted one. */
    ROUTE_CHANGE_PERCENT: z.coerce.number().min(0).max(1000).default(25),
    /** How long a driver waits at the pickup before a rider's cancel costs the fee. */
    CANCELLATION_GRACE_SECONDS: z.coerce.number().int().min(0).default(120),
    CANCELLATION_FEE_MINOR: z.coerce.number().int().min(0).default(500),
    /** Period of the city-wide surge recompute. */
    SURGE_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
    /** Quotes and requests newer than this count as demand. */
    SURGE_DEMAND_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
    SURGE_CAP: z.coerce.number().min(1).max(10).default(3),
    /** Base delay of the payment jobs' exponential backoff. */
    PAYMENT_RETRY_BASE_MS: z.coerce.number().int().positive().default(1_000),
    PAYMENT_MAX_ATTEMPTS: z.coerce.number().int().positive().default(8),
    /** How long the sandbox provider takes to settle a call and send its webhook. */
    PAYMENT_SANDBOX_DELAY_MS: z.coerce.number().int().min(0).default(500),
    /** Where the sandbox delivers webhooks; unset: this process's own port on 127.0.0.1. */
    PAYMENT_WEBHOOK_URL: url(['http', 'https']).optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD are set together or not at all',
      });
    }
    if (!(env.PROCESS_ROLES.api && env.PROCESS_ROLES.worker)) {
      for (const name of ['DATABASE_URL', 'REDIS_URL'] as const) {
        if (!env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `is required when PROCESS_ROLES is one role: processes share the city through PostgreSQL and Redis`,
          });
        }
      }
    }
    if (env.NODE_ENV === 'production') {
      if (env.JWT_SECRET === DEV_JWT_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'must be set in production',
        });
      }
      if (env.PAYMENT_WEBHOOK_SECRET === DEV_WEBHOOK_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['PAYMENT_WEBHOOK_SECRET'],
          message: 'must be set in production',
        });
      }
    }
  });

export type Env = z.infer<typeof envSchema>;
