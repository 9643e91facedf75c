import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { DispatchQueue } from './dispatch-queue';

/**
 * Matching's producer: the queue and `DispatchQueue`, with no dependencies of ours, so trips can
 * enqueue a matching step without importing matching (which imports trips).
 */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.MATCHING })],
  providers: [DispatchQueue],
  exports: [DispatchQueue],
})
export class MatchingQueueModule {}
