import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthCoreModule } from './common/auth/auth-core.module';
import { DutiesModule } from './common/duties/duties.module';
import { EventsModule } from './common/events.module';
import { RolesModule } from './common/roles/roles.module';
import { SocketHub } from './common/socket/socket-hub';
import { TransactionsModule } from './common/transactions/transactions.module';
import { OutboxModule } from './common/outbox/outbox.module';
import { CLOCK, systemClock } from './common/clock';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { openMigrated } from './database/migrate-under-lock';
import { typeormOptions } from './database/typeorm-options';
import type { DataSourceOptions } from 'typeorm';
import { Infrastructure, INFRASTRUCTURE } from './infrastructure/infrastructure';
import { rateLimitStorage, RedisModule } from './infrastructure/redis.module';
import { AdminModule } from './modules/admin/admin.module';
import { AuthModule } from './modules/auth/auth.module';
import { DriversModule } from './modules/drivers/drivers.module';
import { HealthModule } from './modules/health/health.module';
import { LocationsModule } from './modules/locations/locations.module';
import { MatchingModule } from './modules/matching/matching.module';
import { PricingModule } from './modules/pricing/pricing.module';
import { TripsModule } from './modules/trips/trips.module';
import { MetricsController } from './modules/health/metrics.controller';
import { RidersModule } from './modules/riders/riders.module';

/** Composition only: the validated config and the resolved infrastructure come in from main. */
@Module({})
export class AppModule {
  static register(config: AppConfig, infra: Infrastructure): DynamicModule {
    return {
      module: AppModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INFRASTRUCTURE, useValue: infra },
        { provide: CLOCK, useValue: systemClock },
        SocketHub,
      ],
      exports: [APP_CONFIG, INFRASTRUCTURE, CLOCK, SocketHub],
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req, res) => {
              const incoming = req.headers['x-request-id'];
              const id =
                typeof incoming === 'string' && incoming.length <= 128 ? incoming : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            typeormOptions(infra.databaseUrl, infra.databasePoolSize, { bounded: !infra.embedded }),
          dataSourceFactory: (options) =>
            openMigrated(options as DataSourceOptions, { lock: !infra.embedded }),
        }),
        BullModule.forRoot({ connection: infra.queue.connection as never }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.auth.rateWindowSeconds * 1000, limit: config.auth.rateLimit }],
          storage: infra.redisUrl ? rateLimitStorage(infra.redisUrl) : undefined,
        }),
        PrometheusModule.register({
          controller: MetricsController,
          defaultMetrics: { enabled: true },
        }),
        EventEmitterModule.forRoot(),
        EventsModule,
        TransactionsModule,
        OutboxModule,
        RedisModule,
        RolesModule,
        DutiesModule,
        AuthCoreModule,
        RidersModule,
        DriversModule,
        AdminModule,
        AuthModule,
        HealthModule,
        LocationsModule,
        PricingModule,
        TripsModule,
        MatchingModule,
      ],
    };
  }
}
