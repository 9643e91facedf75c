import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { TripStatus } from '@app/contracts';
import type { Db } from '../../common/transactions/unit-of-work';
import { isUniqueViolation } from '../../database/pg-errors';

export type RateResult =
  | {
      kind: 'rated';
      rating: { tripId: string; rating: number; feedback: string | null; createdAt: Date };
      average: number;
      count: number;
    }
  | { kind: 'not_found' }
  | { kind: 'not_completed'; status: TripStatus }
  | { kind: 'already_rated' };

/**
 * Ratings, one per side per trip (unique index), and the ratee's average kept incrementally:
 * an integer sum and a count, so the average is exact however many ratings there are.
 */
@Injectable()
export class RatingsRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  async rate(input: {
    tripId: string;
    side: 'rider' | 'driver';
    raterId: string;
    rating: number;
    feedback: string | null;
  }): Promise<RateResult> {
    try {
      return await this.db.withTransaction(async () => {
        const tx = this.db.tx;
        const trips: { status: TripStatus; rider_id: string; driver_id: string | null }[] =
          await tx.query(`SELECT status, rider_id, driver_id FROM trips WHERE id = $1 FOR SHARE`, [
            input.tripId,
          ]);
        const trip = trips[0];
        const owner = input.side === 'rider' ? trip?.rider_id : trip?.driver_id;
        if (!trip || owner !== input.raterId) return { kind: 'not_found' };
        if (trip.status !== TripStatus.COMPLETED)
          return { kind: 'not_completed', status: trip.status };
        const rateeId = (input.side === 'rider' ? trip.driver_id : trip.rider_id) as string;
        const [row]: { created_at: Date }[] = await tx.query(
          `INSERT INTO ratings (trip_id, rater_role, rater_id, ratee_id, rating, feedback)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
          [input.tripId, input.side, input.raterId, rateeId, input.rating, input.feedback],
        );
        const table = input.side === 'rider' ? 'drivers' : 'riders';
        const [ratee]: { rating: string; rating_count: number }[] = await tx.query(
          `UPDATE ${table} SET rating_sum = rating_sum + $2, rating_count = rating_count + 1,
             rating = round((rating_sum + $2)::numeric / (rating_count + 1), 2), updated_at = now()
           WHERE id = $1 RETURNING rating, rating_count`,
          [rateeId, input.rating],
        );
        return {
          kind: 'rated',
          rating: {
            tripId: input.tripId,
            rating: input.rating,
            feedback: input.feedback,
            createdAt: row.created_at,
          },
          average: Number(ratee.rating),
          count: ratee.rating_count,
        };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'ratings_once_per_side')) return { kind: 'already_rated' };
      throw error;
    }
  }
}
