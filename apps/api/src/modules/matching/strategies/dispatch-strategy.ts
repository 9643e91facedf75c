import { TripRecord } from '../../trips/trip.model';

export type StepOutcome =
  | 'not-requested'
  | 'waiting-for-answer'
  | 'offered'
  | 'no-candidates'
  | 'gave-up'
  | 'left-to-batch';

/**
 * How dispatch picks a driver for a trip that is open for an offer (MATCH_STRATEGY). The
 * matching step has already checked the trip is REQUESTED, has no open offer and is within its
 * limits; a strategy only proposes, and `OfferMaker` makes the offer under the usual rules.
 */
export interface DispatchStrategy {
  readonly name: 'sequential' | 'batched';
  /** Offer the trip now, or leave it to a later batch window. */
  offerNext(trip: TripRecord, round: number, offered: ReadonlySet<string>): Promise<StepOutcome>;
}

export const DISPATCH_STRATEGY = Symbol('DISPATCH_STRATEGY');
