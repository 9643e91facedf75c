import { Global, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { REDIS } from '../../infrastructure/redis.module';
import { CityDuties } from './city-duties';
import { LEASE, PROCESS_ID } from './duties.tokens';
import { RedisLease, soleProcessLease } from './lease';

@Global()
@Module({
  providers: [
    {
      provide: PROCESS_ID,
      useValue: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    },
    {
      provide: LEASE,
      inject: [REDIS, PROCESS_ID],
      useFactory: (redis: Redis | null, processId: string) =>
        redis ? new RedisLease(redis, processId) : soleProcessLease,
    },
    CityDuties,
  ],
  exports: [CityDuties, PROCESS_ID],
})
export class DutiesModule {}
