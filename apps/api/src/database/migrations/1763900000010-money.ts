import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The money loop (issue 10): quotes a trip can lock, surge cells every process reads, payments
 * with their provider operations and webhook events, the trip's distance driven and
 * cancellation fee, and rating sums for exact averages. Invariants are constraints: one payment
 * per trip (already), one authorization, one capture and one release per payment, a webhook
 * event stored once by its id, refunds never above the capture.
 */
export class Money1763900000010 implements MigrationInterface {
  name = 'Money1763900000010';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE quotes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rider_id uuid,
        cab_type text NOT NULL CHECK (cab_type IN ('ECONOMY', 'XL', 'PREMIUM')),
        pickup geography(Point, 4326) NOT NULL,
        dropoff geography(Point, 4326) NOT NULL,
        fare_minor integer NOT NULL CHECK (fare_minor >= 0),
        currency char(3) NOT NULL,
        surge_multiplier numeric(4,2) NOT NULL CHECK (surge_multiplier >= 1),
        distance_meters integer NOT NULL CHECK (distance_meters >= 0),
        duration_seconds integer NOT NULL CHECK (duration_seconds >= 0),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX quotes_created ON quotes (created_at)`);
    await db.query(`CREATE INDEX trips_created ON trips (created_at)`);

    await db.query(`
      ALTER TABLE trips
        ADD COLUMN quote_id uuid REFERENCES quotes (id),
        ADD COLUMN quote_distance_meters integer CHECK (quote_distance_meters >= 0),
        ADD COLUMN driven_meters integer CHECK (driven_meters >= 0),
        ADD COLUMN cancellation_fee_minor integer CHECK (cancellation_fee_minor >= 0)`);
    await db.query(
      `CREATE UNIQUE INDEX trips_quote_once ON trips (quote_id) WHERE quote_id IS NOT NULL`,
    );

    await db.query(`
      CREATE TABLE surge_cells (
        geohash text PRIMARY KEY CHECK (length(geohash) BETWEEN 1 AND 12),
        multiplier numeric(4,2) NOT NULL CHECK (multiplier >= 1),
        demand integer NOT NULL CHECK (demand >= 0),
        supply numeric(10,2) NOT NULL CHECK (supply >= 0),
        pressure numeric(12,4) NOT NULL CHECK (pressure >= 0),
        periods_below integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL
      )`);

    await db.query(`ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_status_check`);
    await db.query(`
      ALTER TABLE payments
        ADD CONSTRAINT payments_status_check CHECK (status IN ('PENDING', 'AUTHORIZED', 'CAPTURED',
          'FAILED', 'RELEASED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
        ADD COLUMN payment_method_token text,
        ADD COLUMN captured_minor integer NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
        ADD COLUMN refunded_minor integer NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
        ADD COLUMN failure_reason text,
        ADD CONSTRAINT payments_refunds_within_capture CHECK (refunded_minor <= captured_minor)`);
    await db.query(`CREATE INDEX payments_created ON payments (created_at DESC, id DESC)`);

    await db.query(`
      CREATE TABLE payment_operations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid NOT NULL REFERENCES payments (id),
        kind text NOT NULL CHECK (kind IN ('AUTHORIZE', 'CAPTURE', 'RELEASE', 'REFUND')),
        status text NOT NULL DEFAULT 'REQUESTED' CHECK (status IN ('REQUESTED', 'SUCCEEDED', 'FAILED')),
        amount_minor integer NOT NULL CHECK (amount_minor >= 0),
        provider_ref text,
        attempts integer NOT NULL DEFAULT 0,
        reason text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // Whatever retries and replays happen, a payment is authorized, captured and released at most once.
    await db.query(`CREATE UNIQUE INDEX payment_operations_once ON payment_operations (payment_id, kind)
      WHERE kind IN ('AUTHORIZE', 'CAPTURE', 'RELEASE')`);
    await db.query(
      `CREATE INDEX payment_operations_payment ON payment_operations (payment_id, created_at)`,
    );

    await db.query(`
      CREATE TABLE payment_events (
        id text PRIMARY KEY,
        payment_id uuid REFERENCES payments (id),
        type text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('APPLIED', 'IGNORED')),
        note text,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(
      `CREATE INDEX payment_events_payment ON payment_events (payment_id, received_at)`,
    );

    for (const table of ['riders', 'drivers']) {
      await db.query(`ALTER TABLE ${table} ADD COLUMN rating_sum integer NOT NULL DEFAULT 0`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['riders', 'drivers']) {
      await db.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS rating_sum`);
    }
    await db.query(`DROP TABLE IF EXISTS payment_events`);
    await db.query(`DROP TABLE IF EXISTS payment_operations`);
    await db.query(`ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_refunds_within_capture,
      DROP CONSTRAINT IF EXISTS payments_status_check,
      DROP COLUMN IF EXISTS payment_method_token, DROP COLUMN IF EXISTS captured_minor,
      DROP COLUMN IF EXISTS refunded_minor, DROP COLUMN IF EXISTS failure_reason`);
    await db.query(`DROP TABLE IF EXISTS surge_cells`);
    await db.query(`ALTER TABLE trips DROP COLUMN IF EXISTS quote_id,
      DROP COLUMN IF EXISTS quote_distance_meters, DROP COLUMN IF EXISTS driven_meters,
      DROP COLUMN IF EXISTS cancellation_fee_minor`);
    await db.query(`DROP INDEX IF EXISTS trips_created`);
    await db.query(`DROP TABLE IF EXISTS quotes`);
  }
}
