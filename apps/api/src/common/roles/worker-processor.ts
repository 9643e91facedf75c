import { Processor } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';

/**
 * `@Processor` for our queues: the BullMQ worker is created stopped, and `WorkerRole` starts it
 * only in a process whose PROCESS_ROLES include `worker`. An `api`-only process still enqueues.
 */
export function WorkerProcessor(queueName: string, options: Partial<WorkerOptions> = {}) {
  return Processor(queueName, { ...options, autorun: false });
}
