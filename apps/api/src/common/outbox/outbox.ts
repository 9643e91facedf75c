import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Clock, CLOCK } from '../clock';
import { withDeadline } from '../deadline';
import { UnitOfWork } from '../transactions/unit-of-work';
import { OutboxJob, OutboxRepository } from './outbox.repository';

/**
 * How long an enqueue may wait for Redis. BullMQ's connection retries a command for as long as
 * Redis is away (its workers must not give up), so without a deadline a request that enqueues
 * would wait for the whole outage. The add itself goes on: its job id is deterministic, so if it
 * lands late it is the same job the relay would have added.
 */
export const ENQUEUE_DEADLINE_MS = 1_500;

/** Rows younger than this are their writer's to deliver; the relay takes the older ones. */
export const RELAY_AFTER_MS = 2 * ENQUEUE_DEADLINE_MS;

/**
 * Every job that must follow a change in PostgreSQL goes through here, so none is lost:
 * - inside a unit of work, the job is a `job_outbox` row of the same transaction, delivered
 *   to its queue right after the commit (and the row deleted); a rollback takes both away;
 * - outside one, the job is added at once, and only if Redis cannot take it is it stored as
 *   a row;
 * - `relay` (a city duty) delivers the rows their writer did not: Redis was down, or the
 *   process died between the commit and the enqueue.
 * `send` resolves once the job is safe in Redis or in PostgreSQL. Job ids are deterministic,
 * so a row delivered twice (a relay racing its writer) adds one job.
 */
@Injectable()
export class Outbox {
  private readonly logger = new Logger(Outbox.name);
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly rows: OutboxRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly modules: ModuleRef,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async send(job: OutboxJob): Promise<void> {
    if (this.unitOfWork.inTransaction()) {
      const id = await this.rows.insert(job, new Date(this.clock.now()));
      this.unitOfWork.afterCommit(() => void this.deliverRow(id, job));
      return;
    }
    try {
      await this.deliver(job);
    } catch (error) {
      // Still safe if PostgreSQL takes it; if not, the caller learns that nothing holds it.
      await this.rows.insert(job, new Date(this.clock.now())).catch(() => {
        throw error;
      });
      this.logger.warn({ err: error, jobId: job.jobId }, 'queue unavailable; job kept in outbox');
    }
  }

  /**
   * Delivers up to `limit` rows their writers left behind, oldest first; stops at the first
   * failure (Redis is likely down: the next run tries again). Returns how many it delivered.
   */
  async relay(limit = 500): Promise<number> {
    const before = new Date(this.clock.now() - RELAY_AFTER_MS);
    const delivered: string[] = [];
    try {
      for (const row of await this.rows.undelivered(before, limit)) {
        try {
          await this.deliver(row);
        } catch (error) {
          await this.rows.failed(row.id, String((error as Error).message ?? error));
          break;
        }
        delivered.push(row.id);
      }
    } finally {
      await this.rows.delete(delivered);
    }
    if (delivered.length > 0) this.logger.log({ delivered: delivered.length }, 'outbox relayed');
    return delivered.length;
  }

  private async deliverRow(id: string, job: OutboxJob): Promise<void> {
    try {
      await this.deliver(job);
      await this.rows.delete([id]);
    } catch (error) {
      this.logger.warn({ err: error, jobId: job.jobId }, 'job left in outbox for the relay');
    }
  }

  private deliver(job: OutboxJob): Promise<unknown> {
    const delay = Math.max(0, job.runAtMs - this.clock.now());
    return withDeadline(
      this.queue(job.queue).add(job.name, job.data, { ...job.options, jobId: job.jobId, delay }),
      ENQUEUE_DEADLINE_MS,
      // Worded so the HTTP filter and the socket acks answer it as Redis unavailable.
      `Command timed out: enqueue (Redis, ${ENQUEUE_DEADLINE_MS} ms)`,
    );
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.modules.get<Queue>(getQueueToken(name), { strict: false });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
