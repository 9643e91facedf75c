import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QueueName } from '@app/contracts';
import { HealthProbeProcessor } from './health-probe.processor';
import { HealthController } from './health.controller';
import { QueueHealthIndicator, RedisHealthIndicator } from './health.indicators';

@Module({
  imports: [TerminusModule, BullModule.registerQueue({ name: QueueName.HEALTH })],
  controllers: [HealthController],
  providers: [HealthProbeProcessor, QueueHealthIndicator, RedisHealthIndicator],
})
export class HealthModule {}
