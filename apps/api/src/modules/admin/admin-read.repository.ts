import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface DriverRow {
  id: string;
  name: string;
  email: string;
  rating: number;
  acceptanceRate: number;
  suspended: boolean;
  vehicle: { plate: string; model: string | null; cabType: string };
  status: string;
  location: { lat: number; lng: number } | null;
  lastPingAt: string | null;
  createdAt: Date;
}

interface RawDriver {
  id: string;
  name: string;
  email: string;
  rating: string;
  acceptance_rate: string;
  suspended_at: Date | null;
  plate: string;
  model: string | null;
  cab_type: string;
  status: string | null;
  lat: number | null;
  lng: number | null;
  last_ping_at: Date | null;
  created_at: Date;
}

const DRIVER_SELECT = `
  SELECT d.id, d.name, d.email, d.rating, d.acceptance_rate, d.suspended_at, d.created_at,
         v.plate, v.model, v.cab_type, dl.status, dl.last_ping_at,
         ST_Y(dl.location::geometry) AS lat, ST_X(dl.location::geometry) AS lng
  FROM drivers d
  JOIN vehicles v ON v.driver_id = d.id
  LEFT JOIN driver_locations dl ON dl.driver_id = d.id`;

const toDriverRow = (r: RawDriver): DriverRow => ({
  id: r.id,
  name: r.name,
  email: r.email,
  rating: Number(r.rating),
  acceptanceRate: Number(r.acceptance_rate),
  suspended: r.suspended_at !== null,
  vehicle: { plate: r.plate, model: r.model, cabType: r.cab_type },
  status: r.status ?? 'OFFLINE',
  location: r.lat === null || r.lng === null ? null : { lat: r.lat, lng: r.lng },
  lastPingAt: r.last_ping_at?.toISOString() ?? null,
  createdAt: r.created_at,
});

/**
 * Read-only joins for the admin dashboard, across the tables of several modules. Nothing here
 * writes; the live status in `driver_locations` trails the in-memory state by at most one flush.
 */
@Injectable()
export class AdminReadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async drivers(query: {
    status?: string;
    cabType?: string;
    limit: number;
    before?: { createdAt: Date; id: string };
  }): Promise<DriverRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status) {
      params.push(query.status);
      where.push(`COALESCE(dl.status, 'OFFLINE') = $${params.length}`);
    }
    if (query.cabType) {
      params.push(query.cabType);
      where.push(`v.cab_type = $${params.length}`);
    }
    if (query.before) {
      params.push(query.before.createdAt, query.before.id);
      where.push(`(d.created_at, d.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(query.limit);
    const rows: RawDriver[] = await this.db.query(
      `${DRIVER_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toDriverRow);
  }

  async driver(id: string): Promise<DriverRow | null> {
    const rows: RawDriver[] = await this.db.query(`${DRIVER_SELECT} WHERE d.id = $1`, [id]);
    return rows[0] ? toDriverRow(rows[0]) : null;
  }

  /** Trips by final status and offers by outcome, for one driver. */
  async driverCounts(id: string) {
    const [trips, offers]: [{ status: string; n: number }[], { status: string; n: number }[]] =
      await Promise.all([
        this.db.query(
          `SELECT status, count(*)::int AS n FROM trips WHERE driver_id = $1 GROUP BY status`,
          [id],
        ),
        this.db.query(
          `SELECT status, count(*)::int AS n FROM trip_offers WHERE driver_id = $1 GROUP BY status`,
          [id],
        ),
      ]);
    const byStatus = (rows: { status: string; n: number }[]) =>
      Object.fromEntries(rows.map((r) => [r.status, r.n]));
    return { trips: byStatus(trips), offers: byStatus(offers) };
  }

  async riders(query: { limit: number; before?: { createdAt: Date; id: string } }) {
    const params: unknown[] = [];
    let where = '';
    if (query.before) {
      params.push(query.before.createdAt, query.before.id);
      where = `WHERE (created_at, id) < ($1, $2)`;
    }
    params.push(query.limit);
    const rows: {
      id: string;
      name: string;
      email: string;
      phone: string | null;
      rating: string;
      created_at: Date;
    }[] = await this.db.query(
      `SELECT id, name, email, phone, rating, created_at FROM riders ${where}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      phone: r.phone,
      rating: Number(r.rating),
      createdAt: r.created_at,
    }));
  }
}
