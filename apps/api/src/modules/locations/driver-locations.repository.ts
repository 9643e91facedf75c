import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CabType, DriverStatus } from '@app/contracts';
import { LiveSnapshot } from './live-drivers';

interface Row {
  driver_id: string;
  status: DriverStatus;
  cab_type: CabType;
  lat: number | null;
  lng: number | null;
  heading: number | null;
  last_ping_at_ms: string | null;
}

/** `driver_locations`: the durable copy of live state, written in batches at a low rate. */
@Injectable()
export class DriverLocationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async upsertMany(snapshots: LiveSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const nullable = (n: number) => (Number.isFinite(n) ? n : null);
    await this.db.query(
      `INSERT INTO driver_locations (driver_id, status, cab_type, location, heading, last_ping_at, updated_at)
       SELECT v.driver_id, v.status, v.cab_type,
              CASE WHEN v.lat IS NULL THEN NULL
                   ELSE ST_SetSRID(ST_MakePoint(v.lng, v.lat), 4326)::geography END,
              v.heading,
              CASE WHEN v.ping_ms IS NULL THEN NULL ELSE to_timestamp(v.ping_ms / 1000.0) END,
              now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::real[],
                   $7::float8[]) AS v(driver_id, status, cab_type, lat, lng, heading, ping_ms)
       ON CONFLICT (driver_id) DO UPDATE SET
         status = EXCLUDED.status, cab_type = EXCLUDED.cab_type,
         location = COALESCE(EXCLUDED.location, driver_locations.location),
         heading = EXCLUDED.heading,
         last_ping_at = COALESCE(EXCLUDED.last_ping_at, driver_locations.last_ping_at),
         updated_at = now()`,
      [
        snapshots.map((s) => s.driverId),
        snapshots.map((s) => s.status),
        snapshots.map((s) => s.cabType),
        snapshots.map((s) => nullable(s.lat)),
        snapshots.map((s) => nullable(s.lng)),
        snapshots.map((s) => nullable(s.heading)),
        snapshots.map((s) => nullable(s.lastPingAtMs)),
      ],
    );
  }

  async findOnline(): Promise<LiveSnapshot[]> {
    const rows: Row[] = await this.db.query(
      `SELECT driver_id, status, cab_type,
              ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lng, heading,
              (extract(epoch FROM last_ping_at) * 1000)::bigint AS last_ping_at_ms
       FROM driver_locations WHERE status <> 'OFFLINE'`,
    );
    return rows.map((r) => ({
      driverId: r.driver_id,
      status: r.status,
      cabType: r.cab_type,
      lat: r.lat ?? NaN,
      lng: r.lng ?? NaN,
      heading: r.heading ?? NaN,
      lastPingAtMs: r.last_ping_at_ms === null ? NaN : Number(r.last_ping_at_ms),
    }));
  }
}
