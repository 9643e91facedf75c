import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface TripStats {
  trips: { open: number; byStatus: Record<string, number> };
  matching: {
    requested: number;
    matched: number;
    noDriver: number;
    p50Seconds: number | null;
    p95Seconds: number | null;
  };
}

/** Aggregates over trips for the dashboard, from the last 24 hours for matching times. */
@Injectable()
export class AdminStatsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async tripStats(): Promise<TripStats> {
    const byStatusRows: { status: string; count: string }[] = await this.db.query(
      `SELECT status, count(*) AS count FROM trips GROUP BY status`,
    );
    const byStatus = Object.fromEntries(byStatusRows.map((r) => [r.status, Number(r.count)]));
    const open = ['REQUESTED', 'DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS'].reduce(
      (sum, status) => sum + (byStatus[status] ?? 0),
      0,
    );
    const [m]: {
      requested: string;
      matched: string;
      no_driver: string;
      p50: number | null;
      p95: number | null;
    }[] = await this.db.query(
      `SELECT count(*) AS requested,
              count(*) FILTER (WHERE assigned_at IS NOT NULL) AS matched,
              count(*) FILTER (WHERE status = 'NO_DRIVER_FOUND') AS no_driver,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM assigned_at - created_at))
                FILTER (WHERE assigned_at IS NOT NULL) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM assigned_at - created_at))
                FILTER (WHERE assigned_at IS NOT NULL) AS p95
       FROM trips WHERE created_at > now() - interval '24 hours'`,
    );
    const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
    return {
      trips: { open, byStatus },
      matching: {
        requested: Number(m.requested),
        matched: Number(m.matched),
        noDriver: Number(m.no_driver),
        p50Seconds: round(m.p50),
        p95Seconds: round(m.p95),
      },
    };
  }
}
