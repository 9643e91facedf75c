import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dispatch state: every offer of a trip to a driver, and every matching round with the
 * candidates it considered. The no-double-booking rules are indexes, so they hold across worker
 * processes and against any bug: a driver is offered a trip at most once, holds at most one
 * pending offer, and a trip has at most one pending offer.
 */
export class Dispatch1763900000002 implements MigrationInterface {
  name = 'Dispatch1763900000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE trip_offers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trip_id uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
        driver_id uuid NOT NULL REFERENCES drivers (id),
        round integer NOT NULL,
        score numeric(10,3) NOT NULL,
        pickup_eta_seconds integer NOT NULL,
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING', 'ACCEPTED', 'DENIED', 'EXPIRED', 'REVOKED')),
        offered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz NOT NULL,
        responded_at timestamptz,
        reason text
      )`);
    await db.query(
      `CREATE UNIQUE INDEX trip_offers_once_per_driver ON trip_offers (trip_id, driver_id)`,
    );
    await db.query(`CREATE UNIQUE INDEX trip_offers_one_pending_per_driver ON trip_offers (driver_id)
      WHERE status = 'PENDING'`);
    await db.query(`CREATE UNIQUE INDEX trip_offers_one_pending_per_trip ON trip_offers (trip_id)
      WHERE status = 'PENDING'`);
    await db.query(`CREATE INDEX trip_offers_pending_expiry ON trip_offers (expires_at)
      WHERE status = 'PENDING'`);

    await db.query(`
      CREATE TABLE dispatch_rounds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trip_id uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
        round integer NOT NULL,
        radius_meters integer NOT NULL,
        candidates jsonb NOT NULL,
        outcome text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX dispatch_rounds_trip ON dispatch_rounds (trip_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS dispatch_rounds`);
    await db.query(`DROP TABLE IF EXISTS trip_offers`);
  }
}
