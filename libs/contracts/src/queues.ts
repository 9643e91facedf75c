/** BullMQ queue and job names, with their payloads, in one typed map. */
export const QueueName = {
  HEALTH: 'health',
  MATCHING: 'matching',
  /** Calls to the payment provider: authorize, capture, release, refund. */
  PAYMENTS: 'payments',
  /** The sandbox provider's outbox: signed webhook deliveries back to the API. */
  PAYMENT_SANDBOX: 'payment-sandbox',
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

/** Jobs of the payments queue; each settles one row of `payment_operations`. */
export const PaymentJob = {
  AUTHORIZE: 'authorize',
  CAPTURE: 'capture',
  RELEASE: 'release',
  REFUND: 'refund',
} as const;
export type PaymentJob = (typeof PaymentJob)[keyof typeof PaymentJob];

export interface PaymentJobPayload {
  paymentId: string;
  operationId: string;
}

export const PaymentSandboxJob = { DELIVER: 'deliver-webhook' } as const;

export interface PaymentSandboxPayload {
  /** The event body, serialized once, so every delivery sends the same bytes. */
  body: string;
}

export interface JobPayloads {
  [QueueName.HEALTH]: { requestedAt: number };
  [QueueName.MATCHING]: MatchingJobPayloads[MatchingJob];
  [QueueName.PAYMENTS]: PaymentJobPayload;
  [QueueName.PAYMENT_SANDBOX]: PaymentSandboxPayload;
}

export interface JobResults {
  [QueueName.HEALTH]: { requestedAt: number; processedAt: number };
}
