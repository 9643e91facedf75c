import { Injectable } from '@nestjs/common';
import { ErrorCode, Role } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { DomainError } from '../../common/errors/domain-error';
import { RatingsRepository } from './ratings.repository';

/**
 * A rider rates the driver, a driver rates the rider: once per side, only after COMPLETED.
 * The driver's average feeds dispatch's ranking (drivers.rating), as does the acceptance rate.
 */
@Injectable()
export class RatingsService {
  constructor(private readonly ratings: RatingsRepository) {}

  async rate(actor: Actor, tripId: string, rating: number, feedback?: string) {
    if (actor.role !== Role.RIDER && actor.role !== Role.DRIVER) throw DomainError.forbidden();
    const result = await this.ratings.rate({
      tripId,
      side: actor.role === Role.RIDER ? 'rider' : 'driver',
      raterId: actor.id,
      rating,
      feedback: feedback ?? null,
    });
    switch (result.kind) {
      case 'not_found':
        throw DomainError.notFound('trip');
      case 'not_completed':
        throw new DomainError(
          ErrorCode.INVALID_STATE,
          `a trip can be rated once it is COMPLETED; this one is ${result.status}`,
        );
      case 'already_rated':
        throw DomainError.conflict('this trip is already rated by you');
      case 'rated':
        return {
          rating: { ...result.rating, createdAt: result.rating.createdAt.toISOString() },
          ratee: { rating: result.average, ratingCount: result.count },
        };
    }
  }
}
