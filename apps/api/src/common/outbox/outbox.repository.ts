import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import type { QueueName } from '@app/contracts';
import type { Db } from '../transactions/unit-of-work';

/** A job to put in a queue, as the outbox stores it. */
export interface OutboxJob {
  queue: QueueName;
  name: string;
  /** Deterministic, so that delivering a row twice adds one job. */
  jobId: string;
  data: object;
  /** When the job is due (server ms); now for an immediate job. */
  runAtMs: number;
  /** Retries and retention; the job id and delay come from the fields above. */
  options: Omit<JobsOptions, 'jobId' | 'delay'>;
}

export interface StoredOutboxJob extends OutboxJob {
  id: string;
  attempts: number;
}

interface OutboxRow {
  id: string;
  queue: QueueName;
  name: string;
  job_id: string;
  data: object;
  options: OutboxJob['options'];
  run_at: Date;
  attempts: number;
}

@Injectable()
export class OutboxRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  /** Joins the caller's transaction, if any: the row commits with the change it follows. */
  async insert(job: OutboxJob, createdAt: Date): Promise<string> {
    const rows: { id: string }[] = await this.db.tx.query(
      `INSERT INTO job_outbox (queue, name, job_id, data, options, run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        job.queue,
        job.name,
        job.jobId,
        JSON.stringify(job.data),
        JSON.stringify(job.options),
        new Date(job.runAtMs),
        createdAt,
      ],
    );
    return rows[0].id;
  }

  /** The oldest rows written before `before`: their writer did not deliver them. */
  async undelivered(before: Date, limit: number): Promise<StoredOutboxJob[]> {
    const rows: OutboxRow[] = await this.db.tx.query(
      `SELECT id, queue, name, job_id, data, options, run_at, attempts FROM job_outbox
       WHERE created_at < $1 ORDER BY id LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      queue: r.queue,
      name: r.name,
      jobId: r.job_id,
      data: r.data,
      options: r.options,
      runAtMs: r.run_at.getTime(),
      attempts: r.attempts,
    }));
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.tx.query(`DELETE FROM job_outbox WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async failed(id: string, error: string): Promise<void> {
    await this.db.tx.query(
      `UPDATE job_outbox SET attempts = attempts + 1, last_error = left($2, 500) WHERE id = $1`,
      [id, error],
    );
  }
}
