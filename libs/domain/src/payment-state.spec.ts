import {
  applyPaymentFact,
  PaymentFact,
  PaymentState,
  PaymentStatusName,
  refundableMinor,
} from './payment-state';

const STATUSES: PaymentStatusName[] = [
  'PENDING',
  'AUTHORIZED',
  'CAPTURED',
  'FAILED',
  'RELEASED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
];
const FACTS: PaymentFact[] = [
  { type: 'authorization.succeeded' },
  { type: 'authorization.failed' },
  { type: 'capture.succeeded', amountMinor: 1000 },
  { type: 'capture.failed' },
  { type: 'release.succeeded' },
  { type: 'refund.succeeded', amountMinor: 400 },
  { type: 'refund.failed' },
];

/** Every (status, fact) pair: the status it moves to, or null when refused. */
const EXPECTED: Record<PaymentStatusName, (PaymentStatusName | null)[]> = {
  //                  auth ok       auth fail  capture ok  capture fail  release     refund ok             refund fail
  PENDING: ['AUTHORIZED', 'FAILED', 'CAPTURED', 'FAILED', 'RELEASED', null, null],
  AUTHORIZED: [null, null, 'CAPTURED', 'FAILED', 'RELEASED', null, null],
  CAPTURED: [null, null, null, null, null, 'PARTIALLY_REFUNDED', 'CAPTURED'],
  FAILED: [null, null, null, null, null, null, null],
  RELEASED: [null, null, null, null, null, null, null],
  PARTIALLY_REFUNDED: [null, null, null, null, null, 'PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED'],
  REFUNDED: [null, null, null, null, null, null, null],
};

const state = (status: PaymentStatusName): PaymentState => ({
  status,
  capturedMinor: ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(status) ? 1000 : 0,
  refundedMinor: status === 'PARTIALLY_REFUNDED' ? 200 : status === 'REFUNDED' ? 1000 : 0,
});

describe('applyPaymentFact', () => {
  const cases = STATUSES.flatMap((status) =>
    FACTS.map((fact, i) => [status, fact.type, fact, EXPECTED[status][i]] as const),
  );
  it.each(cases)('%s + %s -> %s', (status, _type, fact, expected) => {
    const result = applyPaymentFact(state(status), fact);
    if (expected === null) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/does not apply|exceed/);
    } else {
      expect(result).toMatchObject({ ok: true, state: { status: expected } });
    }
  });

  it('records the captured amount and accumulates refunds up to a full refund', () => {
    let s: PaymentState = state('AUTHORIZED');
    const step = (fact: PaymentFact) => {
      const r = applyPaymentFact(s, fact);
      if (!r.ok) throw new Error(r.reason);
      s = r.state;
    };
    step({ type: 'capture.succeeded', amountMinor: 1250 });
    expect(s).toEqual({ status: 'CAPTURED', capturedMinor: 1250, refundedMinor: 0 });
    step({ type: 'refund.succeeded', amountMinor: 250 });
    expect(s).toEqual({ status: 'PARTIALLY_REFUNDED', capturedMinor: 1250, refundedMinor: 250 });
    step({ type: 'refund.succeeded', amountMinor: 1000 });
    expect(s).toEqual({ status: 'REFUNDED', capturedMinor: 1250, refundedMinor: 1250 });
  });

  it('refuses a refund that would exceed the capture', () => {
    const r = applyPaymentFact(
      { status: 'PARTIALLY_REFUNDED', capturedMinor: 1000, refundedMinor: 700 },
      { type: 'refund.succeeded', amountMinor: 301 },
    );
    expect(r).toEqual({ ok: false, reason: 'refunds would exceed the 1000 captured' });
  });
});

describe('refundableMinor', () => {
  it.each([
    ['captured, nothing refunded', state('CAPTURED'), 0, 1000],
    ['minus refunds and pending refunds', state('PARTIALLY_REFUNDED'), 300, 500],
    ['nothing once refunded', state('REFUNDED'), 0, 0],
    ['nothing before a capture', state('AUTHORIZED'), 0, 0],
  ] as const)('%s', (_why, s, pending, expected) => {
    expect(refundableMinor(s, pending)).toBe(expected);
  });
});
