import { etaSecondsForDistance, EtaModel, rankCandidates, ScoredCandidate } from '@app/domain';
import type { LoggedCandidate } from './offers.repository';

/** A driver the index found near the pickup. */
export interface FoundDriver {
  driverId: string;
  distanceMeters: number;
}

/** One round's candidates: every driver found, as logged, and those that may be offered, ranked. */
export interface Round {
  logged: Map<string, LoggedCandidate>;
  ranked: ScoredCandidate[];
}

/**
 * Scores the drivers found for a round. A driver without a score (suspended, or unknown to the
 * database) is logged and never ranked; the rest are ranked by `rankCandidates`.
 */
export function scoreRound(
  found: readonly FoundDriver[],
  scores: ReadonlyMap<string, { rating: number; acceptanceRate: number }>,
  eta: EtaModel,
): Round {
  const logged = new Map<string, LoggedCandidate>();
  for (const f of found) {
    const s = scores.get(f.driverId);
    logged.set(f.driverId, {
      driverId: f.driverId,
      distanceMeters: Math.round(f.distanceMeters),
      pickupEtaSeconds: etaSecondsForDistance(f.distanceMeters, eta),
      rating: s?.rating ?? null,
      acceptanceRate: s?.acceptanceRate ?? null,
      score: null,
      decision: s ? 'NOT_REACHED' : 'SUSPENDED_OR_UNKNOWN',
    });
  }
  const ranked = rankCandidates(
    [...logged.values()]
      .filter((c) => c.rating !== null)
      .map((c) => ({
        driverId: c.driverId,
        pickupEtaSeconds: c.pickupEtaSeconds,
        rating: c.rating as number,
        acceptanceRate: c.acceptanceRate as number,
      })),
  );
  for (const c of ranked) (logged.get(c.driverId) as LoggedCandidate).score = c.score;
  return { logged, ranked };
}
