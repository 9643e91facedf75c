import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import type { Db } from '../../common/transactions/unit-of-work';

/** What a batch window needs to know of one waiting trip's dispatch so far. */
export interface BatchProgress {
  /** An offer is still PENDING (perhaps past its expiry, its timer about to fire). */
  hasPending: boolean;
  offeredDriverIds: Set<string>;
  rounds: number;
}

/** The batch window's reads: the dispatch progress of many trips in one query. */
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
}
