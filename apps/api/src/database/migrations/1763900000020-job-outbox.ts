import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (issue 14): a job that must follow a committed change (a trip's
 * first matching step, a payment's provider call) is a row written in the change's own
 * transaction, so no commit is left without its job when Redis is down, comes back empty, or
 * the process dies between the commit and the enqueue. A row lives until its job is in the
 * queue; `run_at` is when the job is due (a delayed job keeps its deadline across a relay).
 */
export class JobOutbox1763900000020 implements MigrationInterface {
  name = 'JobOutbox1763900000020';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE job_outbox (
        id bigserial PRIMARY KEY,
        queue text NOT NULL CHECK (length(queue) BETWEEN 1 AND 64),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        job_id text NOT NULL CHECK (length(job_id) BETWEEN 1 AND 200),
        data jsonb NOT NULL,
        options jsonb NOT NULL,
        run_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error text
      )`);
    await db.query(`CREATE INDEX job_outbox_created ON job_outbox (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE job_outbox`);
  }
}
