/**
 * The port to a payment provider (Stripe, Adyen, the sandbox). A call places the request and
 * returns the provider's reference at once; its outcome arrives later as a signed webhook
 * event. `operationId` is the idempotency key: calling twice with one id is one request.
 */
export type ProviderCallKind = 'AUTHORIZE' | 'CAPTURE' | 'RELEASE' | 'REFUND';

export interface ProviderCall {
  kind: ProviderCallKind;
  operationId: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  paymentMethodToken: string | null;
  /** The authorization's reference, for a capture, release or refund. */
  authorizationRef: string | null;
}

export interface PaymentProvider {
  readonly name: string;
  submit(call: ProviderCall): Promise<{ providerRef: string }>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

/** The provider could not take the call now (a timeout, a 5xx): retry with backoff. */
export class TransientProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientProviderError';
  }
}
