import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { Infrastructure, INFRASTRUCTURE } from './infrastructure';

export const REDIS = Symbol('REDIS');

/**
 * Bounds on every command of the shared client (and its `duplicate()`s, which copy the options):
 * a request that needs Redis while it is down fails within about 1.5 s (and is answered 503)
 * instead of waiting for it. Above the 1 s BLOCK of the location streams' XREAD.
 */
export const REDIS_BOUNDS = {
  commandTimeout: 1_500,
  connectTimeout: 2_000,
  maxRetriesPerRequest: 1,
};

function createRedis(url: string): Redis {
  return watchRedisErrors(new Redis(url, REDIS_BOUNDS), 'Redis');
}

/**
 * Logs a client's errors: without a listener ioredis prints "Unhandled error event"; it
 * reconnects by itself. One line per outage, not one per reconnection attempt.
 */
export function watchRedisErrors<T extends Redis>(redis: T, what: string): T {
  const logger = new Logger(what);
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error }, `${what}: Redis error (ioredis reconnects)`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.log(`${what}: Redis is back`);
    down = false;
  });
  return redis;
}

/**
 * The auth rate limiter's counters in Redis, on a client of its own with the same bounds: a
 * sign-up or login while Redis is down answers 503 within about 1.5 s (it fails closed: no
 * unlimited password guessing during an outage). The storage disconnects it on shutdown.
 */
export function rateLimitStorage(url: string): ThrottlerStorageRedisService {
  const storage = new ThrottlerStorageRedisService(url, REDIS_BOUNDS);
  watchRedisErrors(storage.redis as Redis, 'RateLimits');
  return storage;
}

/**
 * A client whose PUBLISH never rejects unhandled: socket.io's Redis adapter publishes without
 * awaiting, so while Redis is away each emit's timed-out PUBLISH would be an unhandled rejection
 * (which ends a Node process). Pub/sub keeps nothing anyway: a message that cannot be sent is
 * lost either way, and the error handler has logged the outage.
 */
export function quietPublisher<T extends Redis>(redis: T): T {
  const publish = redis.publish.bind(redis) as (...args: unknown[]) => Promise<number>;
  (redis as unknown as { publish: unknown }).publish = (...args: unknown[]) =>
    publish(...args).catch(() => 0);
  return redis;
}

/** One shared ioredis client when REDIS_URL is set, `null` otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [INFRASTRUCTURE],
      useFactory: (infra: Infrastructure): Redis | null =>
        infra.redisUrl ? createRedis(infra.redisUrl) : null,
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
