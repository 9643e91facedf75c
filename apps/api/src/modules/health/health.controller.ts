import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/auth/decorators';
import { Infrastructure, INFRASTRUCTURE } from '../../infrastructure/infrastructure';
import { QueueHealthIndicator, RedisHealthIndicator } from './health.indicators';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly queue: QueueHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  /** The process is up; says nothing of its dependencies. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Every dependency answers: database, queue (a real job round trip), Redis where used. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks = [
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.queue.check('queue'),
      ...(this.redis.enabled ? [() => this.redis.check('redis')] : []),
    ];
    try {
      const result = await this.health.check(checks);
      return { ...result, mode: this.mode() };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return { ...(error.getResponse() as object), mode: this.mode() };
    }
  }

  private mode() {
    return {
      database: this.infra.embedded ? 'embedded' : 'postgres',
      queue: this.infra.queue.backend,
    };
  }
}
