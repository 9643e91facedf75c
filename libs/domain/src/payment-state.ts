/**
 * A payment's life as data. Facts come from the provider (webhook events) or, for cash, from
 * the trip; each moves the payment forward or is refused, so a replayed or late event (an
 * `authorization.succeeded` after the capture) can never move a payment backwards.
 *
 *   PENDING ──authorization.succeeded──> AUTHORIZED
 *   PENDING ──authorization.failed─────> FAILED            (declined card)
 *   PENDING | AUTHORIZED ──capture.succeeded──> CAPTURED   (fare, or the cancellation fee)
 *   PENDING | AUTHORIZED ──capture.failed─────> FAILED
 *   PENDING | AUTHORIZED ──release.succeeded──> RELEASED   (the trip ended without a ride)
 *   CAPTURED | PARTIALLY_REFUNDED ──refund.succeeded──> PARTIALLY_REFUNDED | REFUNDED
 *   CAPTURED | PARTIALLY_REFUNDED ──refund.failed─────> unchanged
 * FAILED, RELEASED and REFUNDED are final.
 */
export type PaymentStatusName =
  'PENDING' | 'AUTHORIZED' | 'CAPTURED' | 'FAILED' | 'RELEASED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

export type PaymentFact =
  | { type: 'authorization.succeeded' }
  | { type: 'authorization.failed' }
  | { type: 'capture.succeeded'; amountMinor: number }
  | { type: 'capture.failed' }
  | { type: 'release.succeeded' }
  | { type: 'refund.succeeded'; amountMinor: number }
  | { type: 'refund.failed' };

export type PaymentFactType = PaymentFact['type'];

export interface PaymentState {
  status: PaymentStatusName;
  capturedMinor: number;
  refundedMinor: number;
}

export type FactResult = { ok: true; state: PaymentState } | { ok: false; reason: string };

const OPEN: readonly PaymentStatusName[] = ['PENDING', 'AUTHORIZED'];
const REFUNDABLE: readonly PaymentStatusName[] = ['CAPTURED', 'PARTIALLY_REFUNDED'];

export function applyPaymentFact(state: PaymentState, fact: PaymentFact): FactResult {
  const refuse = (): FactResult => ({
    ok: false,
    reason: `${fact.type} does not apply to a payment that is ${state.status}`,
  });
  switch (fact.type) {
    case 'authorization.succeeded':
      return state.status === 'PENDING' ? moved(state, { status: 'AUTHORIZED' }) : refuse();
    case 'authorization.failed':
      return state.status === 'PENDING' ? moved(state, { status: 'FAILED' }) : refuse();
    case 'capture.succeeded':
      return OPEN.includes(state.status)
        ? moved(state, { status: 'CAPTURED', capturedMinor: fact.amountMinor })
        : refuse();
    case 'capture.failed':
      return OPEN.includes(state.status) ? moved(state, { status: 'FAILED' }) : refuse();
    case 'release.succeeded':
      return OPEN.includes(state.status) ? moved(state, { status: 'RELEASED' }) : refuse();
    case 'refund.succeeded': {
      if (!REFUNDABLE.includes(state.status)) return refuse();
      const refundedMinor = state.refundedMinor + fact.amountMinor;
      if (refundedMinor > state.capturedMinor) {
        return { ok: false, reason: `refunds would exceed the ${state.capturedMinor} captured` };
      }
      return moved(state, {
        status: refundedMinor === state.capturedMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
        refundedMinor,
      });
    }
    case 'refund.failed':
      return REFUNDABLE.includes(state.status) ? { ok: true, state } : refuse();
  }
}

/** Whether the trip's end may still capture or release this payment. */
export function isPaymentOpen(status: PaymentStatusName): boolean {
  return OPEN.includes(status);
}

/**
 * What an operator may still refund: captured, minus refunded, minus refunds requested and not
 * yet settled (so two quick refunds cannot together exceed the capture).
 */
export function refundableMinor(state: PaymentState, pendingRefundsMinor: number): number {
  if (!REFUNDABLE.includes(state.status)) return 0;
  return Math.max(0, state.capturedMinor - state.refundedMinor - pendingRefundsMinor);
}

function moved(state: PaymentState, change: Partial<PaymentState>): FactResult {
  return { ok: true, state: { ...state, ...change } };
}
