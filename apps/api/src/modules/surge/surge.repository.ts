import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import type { SurgeCellState } from '@app/domain';
import type { Db } from '../../common/transactions/unit-of-work';

export interface StoredSurgeCell extends SurgeCellState {
  updatedAt: Date;
}

/** Surge cells in PostgreSQL, where every process reads them; demand from quotes and trips. */
@Injectable()
export class SurgeRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  /** Pickups of riders' quotes and trip requests since `since`. */
  async demandSince(since: Date): Promise<{ riderId: string; lat: number; lng: number }[]> {
    const rows: { rider_id: string; lat: number; lng: number }[] = await this.db.tx.query(
      `SELECT rider_id, ST_Y(pickup::geometry) AS lat, ST_X(pickup::geometry) AS lng
         FROM quotes WHERE created_at >= $1 AND rider_id IS NOT NULL
       UNION ALL
       SELECT rider_id, ST_Y(pickup::geometry), ST_X(pickup::geometry)
         FROM trips WHERE created_at >= $1`,
      [since],
    );
    return rows.map((r) => ({ riderId: r.rider_id, lat: r.lat, lng: r.lng }));
  }

  async all(): Promise<StoredSurgeCell[]> {
    const rows: CellRow[] = await this.db.tx.query(
      `SELECT geohash, multiplier, demand, supply, pressure, periods_below, updated_at
       FROM surge_cells ORDER BY multiplier DESC, geohash`,
    );
    return rows.map(toCell);
  }

  async multiplierOf(geohash: string, freshAfter: Date): Promise<number> {
    const rows: { multiplier: string }[] = await this.db.tx.query(
      `SELECT multiplier FROM surge_cells WHERE geohash = $1 AND updated_at >= $2`,
      [geohash, freshAfter],
    );
    return rows[0] ? Number(rows[0].multiplier) : 1;
  }

  /** The period's cells replace the previous period's, in one transaction. */
  async replaceAll(cells: readonly SurgeCellState[], at: Date): Promise<void> {
    await this.db.withTransaction(async () => {
      await this.db.tx.query(`DELETE FROM surge_cells`);
      if (cells.length === 0) return;
      await this.db.tx.query(
        `INSERT INTO surge_cells (geohash, multiplier, demand, supply, pressure, periods_below, updated_at)
         SELECT * FROM unnest($1::text[], $2::numeric[], $3::int[], $4::numeric[], $5::numeric[],
                              $6::int[], $7::timestamptz[])`,
        [
          cells.map((c) => c.geohash),
          cells.map((c) => c.multiplier),
          cells.map((c) => c.demand),
          cells.map((c) => c.supply),
          cells.map((c) => c.pressure),
          cells.map((c) => c.periodsBelow),
          cells.map(() => at),
        ],
      );
    });
  }
}

interface CellRow {
  geohash: string;
  multiplier: string;
  demand: number;
  supply: string;
  pressure: string;
  periods_below: number;
  updated_at: Date;
}

function toCell(r: CellRow): StoredSurgeCell {
  return {
    geohash: r.geohash,
    multiplier: Number(r.multiplier),
    demand: r.demand,
    supply: Number(r.supply),
    pressure: Number(r.pressure),
    periodsBelow: r.periods_below,
    updatedAt: r.updated_at,
  };
}
