import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The seed data model: accounts (riders, drivers with their vehicles, admins), trips with their
 * event timeline, ratings and payments. Invariants that must hold even against a bug or a raw
 * insert are constraints here: one open trip per rider, one open trip per driver, one payment
 * per trip, one rating per side per trip, ratings in 1..5, known statuses only.
 */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS postgis`);

    await db.query(`
      CREATE TABLE riders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        email text NOT NULL CHECK (email = lower(email)),
        phone text,
        password_hash text NOT NULL,
        rating numeric(3,2) NOT NULL DEFAULT 5 CHECK (rating BETWEEN 1 AND 5),
        rating_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX riders_email_key ON riders (email)`);

    await db.query(`
      CREATE TABLE drivers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        email text NOT NULL CHECK (email = lower(email)),
        phone text,
        password_hash text NOT NULL,
        rating numeric(3,2) NOT NULL DEFAULT 5 CHECK (rating BETWEEN 1 AND 5),
        rating_count integer NOT NULL DEFAULT 0,
        acceptance_rate numeric(4,3) NOT NULL DEFAULT 1 CHECK (acceptance_rate BETWEEN 0 AND 1),
        suspended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX drivers_email_key ON drivers (email)`);

    await db.query(`
      CREATE TABLE vehicles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        driver_id uuid NOT NULL REFERENCES drivers (id) ON DELETE CASCADE,
        plate text NOT NULL CHECK (plate = upper(plate) AND length(plate) BETWEEN 2 AND 12),
        model text,
        cab_type text NOT NULL CHECK (cab_type IN ('ECONOMY', 'XL', 'PREMIUM')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX vehicles_plate_key ON vehicles (plate)`);
    await db.query(`CREATE UNIQUE INDEX vehicles_driver_key ON vehicles (driver_id)`);

    await db.query(`
      CREATE TABLE admins (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email)),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX admins_email_key ON admins (email)`);

    await db.query(`
      CREATE TABLE trips (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rider_id uuid NOT NULL REFERENCES riders (id),
        driver_id uuid REFERENCES drivers (id),
        vehicle_id uuid REFERENCES vehicles (id),
        cab_type text NOT NULL CHECK (cab_type IN ('ECONOMY', 'XL', 'PREMIUM')),
        status text NOT NULL CHECK (status IN ('REQUESTED', 'DRIVER_ASSIGNED', 'DRIVER_ARRIVED',
          'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_DRIVER_FOUND')),
        pickup geography(Point, 4326) NOT NULL,
        dropoff geography(Point, 4326) NOT NULL,
        payment_method text NOT NULL CHECK (payment_method IN ('CARD', 'CASH')),
        quote_fare_minor integer NOT NULL CHECK (quote_fare_minor >= 0),
        surge_multiplier numeric(4,2) NOT NULL DEFAULT 1 CHECK (surge_multiplier >= 1),
        currency char(3) NOT NULL,
        fare_minor integer CHECK (fare_minor >= 0),
        distance_meters integer CHECK (distance_meters >= 0),
        duration_seconds integer CHECK (duration_seconds >= 0),
        pickup_code char(4) CHECK (pickup_code ~ '^[0-9]{4}$'),
        cancel_reason text,
        cancelled_by text CHECK (cancelled_by IN ('rider', 'driver', 'admin', 'system')),
        idempotency_key text,
        assigned_at timestamptz,
        arrived_at timestamptz,
        started_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- A trip past REQUESTED has a driver, and only then.
        CONSTRAINT trips_driver_matches_status CHECK (
          (status IN ('DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS', 'COMPLETED'))
            = (driver_id IS NOT NULL) OR status = 'CANCELLED')
      )`);
    await db.query(`
      CREATE UNIQUE INDEX trips_one_open_per_rider ON trips (rider_id)
      WHERE status IN ('REQUESTED', 'DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS')`);
    await db.query(`
      CREATE UNIQUE INDEX trips_one_open_per_driver ON trips (driver_id)
      WHERE status IN ('DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS')`);
    await db.query(`
      CREATE UNIQUE INDEX trips_rider_idempotency_key ON trips (rider_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL`);
    await db.query(`CREATE INDEX trips_rider_created ON trips (rider_id, created_at DESC)`);
    await db.query(`CREATE INDEX trips_driver_created ON trips (driver_id, created_at DESC)`);
    await db.query(`CREATE INDEX trips_status_created ON trips (status, created_at DESC)`);
    await db.query(`CREATE INDEX trips_pickup_gist ON trips USING gist (pickup)`);

    await db.query(`
      CREATE TABLE trip_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trip_id uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        actor_role text NOT NULL CHECK (actor_role IN ('rider', 'driver', 'admin', 'system')),
        actor_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX trip_events_trip ON trip_events (trip_id, created_at)`);

    await db.query(`
      CREATE TABLE ratings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trip_id uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
        rater_role text NOT NULL CHECK (rater_role IN ('rider', 'driver')),
        rater_id uuid NOT NULL,
        ratee_id uuid NOT NULL,
        rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
        feedback text CHECK (length(feedback) <= 1000),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX ratings_once_per_side ON ratings (trip_id, rater_role)`);

    await db.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trip_id uuid NOT NULL REFERENCES trips (id),
        rider_id uuid NOT NULL REFERENCES riders (id),
        method text NOT NULL CHECK (method IN ('CARD', 'CASH')),
        status text NOT NULL CHECK (status IN ('PENDING', 'CAPTURED', 'FAILED', 'REFUNDED')),
        amount_minor integer NOT NULL CHECK (amount_minor >= 0),
        currency char(3) NOT NULL,
        provider text NOT NULL,
        provider_ref text,
        last_event_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX payments_one_per_trip ON payments (trip_id)`);
    await db.query(`CREATE INDEX payments_status_created ON payments (status, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['payments', 'ratings', 'trip_events', 'trips', 'admins', 'vehicles']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await db.query(`DROP TABLE IF EXISTS drivers`);
    await db.query(`DROP TABLE IF EXISTS riders`);
  }
}
