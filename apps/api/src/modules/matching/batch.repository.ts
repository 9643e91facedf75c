import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { ASSIGNED_STATES } from '@app/domain';
import type { Db } from '../../common/transactions/unit-of-work';

/** What a batch window needs to know of one waiting trip's dispatch so far. */
export interface BatchProgress {
  /** An offer is still PENDING (perhaps past its expiry, its timer about to fire). */
  hasPending: boolean;
  offeredDriverIds: Set<string>;
  rounds: number;
}

/** The batch window's reads: many trips' dispatch progress, many drivers' commitments, a query each. */
@Injectable()
export class BatchRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  async progressOf(tripIds: readonly string[]): Promise<Map<string, BatchProgress>> {
    if (tripIds.length === 0) return new Map();
    const rows: { trip_id: string; pending: boolean; offered: string[]; rounds: number }[] =
      await this.db.tx.query(
        `SELECT t.id::text AS trip_id,
           coalesce(bool_or(o.status = 'PENDING'), false) AS pending,
           coalesce(array_agg(o.driver_id::text) FILTER (WHERE o.id IS NOT NULL), '{}') AS offered,
           (SELECT count(*)::int FROM dispatch_rounds r WHERE r.trip_id = t.id) AS rounds
         FROM unnest($1::uuid[]) AS t (id)
         LEFT JOIN trip_offers o ON o.trip_id = t.id
         GROUP BY t.id`,
        [tripIds],
      );
    return new Map(
      rows.map((r) => [
        r.trip_id,
        { hasPending: r.pending, offeredDriverIds: new Set(r.offered), rounds: r.rounds },
      ]),
    );
  }

  /**
   * Of these drivers, those who may not be proposed: holding a PENDING offer (a claim of it may
   * be under way) or assigned to a trip, as committed in PostgreSQL. The location index already
   * skips most of them, but it forgets an offer at its expiry while the offer stays PENDING
   * until its timer closes it, and an index only knows the offers its own process made (the
   * window's lease may have just passed from another worker).
   */
  async committedAmong(driverIds: readonly string[]): Promise<Set<string>> {
    if (driverIds.length === 0) return new Set();
    const rows: { driver_id: string }[] = await this.db.tx.query(
      `SELECT driver_id::text AS driver_id FROM trip_offers
         WHERE driver_id = ANY($1::uuid[]) AND status = 'PENDING'
       UNION
       SELECT driver_id::text FROM trips
         WHERE driver_id = ANY($1::uuid[]) AND status = ANY($2)`,
      [driverIds, ASSIGNED_STATES],
    );
    return new Set(rows.map((r) => r.driver_id));
  }
}
