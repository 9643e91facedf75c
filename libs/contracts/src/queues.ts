/** BullMQ queue and job names, with their payloads, in one typed map. */
export const QueueName = {
  HEALTH: 'health',
  MATCHING: 'matching',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Jobs of the matching queue, by job name. */
export const MatchingJob = {
  /** Run the next matching step of a trip (find, rank, offer or give up). */
  MATCH: 'match',
  /** An offer's time is up: expire it if still pending, then match again. */
  OFFER_TIMEOUT: 'offer-timeout',
} as const;
export type MatchingJob = (typeof MatchingJob)[keyof typeof MatchingJob];

export interface MatchingJobPayloads {
  [MatchingJob.MATCH]: { tripId: string };
  [MatchingJob.OFFER_TIMEOUT]: { tripId: string; offerId: string };
}

export interface JobPayloads {
  [QueueName.HEALTH]: { requestedAt: number };
  [QueueName.MATCHING]: MatchingJobPayloads[MatchingJob];
}

export interface JobResults {
  [QueueName.HEALTH]: { requestedAt: number; processedAt: number };
}
