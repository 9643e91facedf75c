import type { Money, PaymentMethod, PaymentStatus } from './trips';

/** Webhook event types the payment provider sends to `POST /payments/webhook`. */
export const PaymentEventType = {
  AUTHORIZATION_SUCCEEDED: 'authorization.succeeded',
  AUTHORIZATION_FAILED: 'authorization.failed',
  CAPTURE_SUCCEEDED: 'capture.succeeded',
  CAPTURE_FAILED: 'capture.failed',
  RELEASE_SUCCEEDED: 'release.succeeded',
  REFUND_SUCCEEDED: 'refund.succeeded',
  REFUND_FAILED: 'refund.failed',
} as const;
export type PaymentEventType = (typeof PaymentEventType)[keyof typeof PaymentEventType];

/**
 * The body of a webhook event, signed with `X-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. `id` is unique per event; `data.operationId` names the provider call
 * (authorization, capture, release or refund) the event settles.
 */
export interface PaymentWebhookEvent {
  id: string;
  type: PaymentEventType;
  /** Unix seconds when the provider created the event. */
  created: number;
  data: {
    paymentId: string;
    operationId: string;
    amountMinor: number;
    currency: string;
    providerRef: string;
    reason?: string;
  };
}

/** Test cards of the sandbox provider, passed as `paymentMethodToken` with a CARD trip. */
export const TestCard = {
  /** Authorizes, captures, releases and refunds. The default. */
  OK: 'tok_visa',
  /** Every authorization and capture is declined. */
  DECLINED: 'tok_declined',
  /** The first attempt of every call fails transiently (a 503); a retry succeeds. */
  TRANSIENT: 'tok_transient',
} as const;

/** A payment as `/admin/payments` lists it. */
export interface PaymentView {
  id: string;
  tripId: string;
  riderId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: Money;
  captured: Money | null;
  refunded: Money | null;
  provider: string;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PaymentOperationView {
  id: string;
  kind: 'AUTHORIZE' | 'CAPTURE' | 'RELEASE' | 'REFUND';
  status: 'REQUESTED' | 'SUCCEEDED' | 'FAILED';
  amount: Money;
  attempts: number;
  reason: string | null;
  createdAt: string;
}

export interface PaymentEventView {
  id: string;
  type: string;
  outcome: 'APPLIED' | 'IGNORED';
  note: string | null;
  receivedAt: string;
  payload: PaymentWebhookEvent;
}

/** `GET /admin/surge`. */
export interface SurgeCellView {
  geohash: string;
  multiplier: number;
  demand: number;
  supply: number;
  updatedAt: string;
}
