/**
 * How candidates for a trip are ranked. Pickup ETA comes first, in 30-second bands, so that
 * a rider never waits much longer for a better-rated driver; within a band, the higher rating
 * wins, then the higher acceptance rate (a driver who accepts is a shorter wait), then the
 * exact ETA, then the id (deterministic). Lower score is better.
 */
export interface MatchCandidate {
  driverId: string;
  pickupEtaSeconds: number;
  /** 1..5 */
  rating: number;
  /** 0..1 */
  acceptanceRate: number;
}

export const ETA_BAND_SECONDS = 30;

export interface ScoredCandidate extends MatchCandidate {
  etaBand: number;
  /** The band dominates; rating and acceptance order within it. Shown in the dispatch log. */
  score: number;
}

export function scoreCandidate(c: MatchCandidate): ScoredCandidate {
  const etaBand = Math.floor(c.pickupEtaSeconds / ETA_BAND_SECONDS);
  // rating in [1, 5] -> [0, 4] points off; acceptance in [0, 1] -> [0, 0.99] points off.
  const score =
    etaBand * 10 + (5 - clamp(c.rating, 1, 5)) * 2 + (1 - clamp(c.acceptanceRate, 0, 1)) * 0.99;
  return { ...c, etaBand, score: Math.round(score * 1000) / 1000 };
}

export function rankCandidates(candidates: MatchCandidate[]): ScoredCandidate[] {
  return candidates
    .map(scoreCandidate)
    .sort(
      (a, b) =>
        a.score - b.score ||
        a.pickupEtaSeconds - b.pickupEtaSeconds ||
        (a.driverId < b.driverId ? -1 : a.driverId > b.driverId ? 1 : 0),
    );
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
