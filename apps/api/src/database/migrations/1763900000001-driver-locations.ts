import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last known live state of each driver, owned by the locations module: written on every
 * status change and at a low rate from pings (never once per ping), read at start to rebuild
 * the in-memory index when there is no Redis, and by admin views.
 */
export class DriverLocations1763900000001 implements MigrationInterface {
  name = 'DriverLocations1763900000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE driver_locations (
        driver_id uuid PRIMARY KEY REFERENCES drivers (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('OFFLINE', 'AVAILABLE', 'ON_TRIP')),
        cab_type text NOT NULL CHECK (cab_type IN ('ECONOMY', 'XL', 'PREMIUM')),
        location geography(Point, 4326),
        heading real CHECK (heading >= 0 AND heading < 360),
        last_ping_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX driver_locations_online ON driver_locations (status)
      WHERE status <> 'OFFLINE'`);
    await db.query(
      `CREATE INDEX driver_locations_location ON driver_locations USING gist (location)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS driver_locations`);
  }
}
