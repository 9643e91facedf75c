import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Infrastructure, INFRASTRUCTURE } from './infrastructure';

export const REDIS = Symbol('REDIS');

/** One shared ioredis client when REDIS_URL is set, `null` otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [INFRASTRUCTURE],
      useFactory: (infra: Infrastructure): Redis | null =>
        infra.redisUrl ? new Redis(infra.redisUrl, { maxRetriesPerRequest: 2 }) : null,
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
