import type { PaymentEventView, PaymentOperationView, PaymentView } from '@app/contracts';
import type { EventRecord, OperationRecord, PaymentRecord } from './payments.repository';

export function toPaymentView(p: PaymentRecord): PaymentView {
  const money = (amount: number) => ({ amount, currency: p.currency });
  return {
    id: p.id,
    tripId: p.tripId,
    riderId: p.riderId,
    method: p.method,
    status: p.status,
    amount: money(p.capturedMinor > 0 ? p.capturedMinor : p.amountMinor),
    captured: p.capturedMinor > 0 ? money(p.capturedMinor) : null,
    refunded: p.refundedMinor > 0 ? money(p.refundedMinor) : null,
    provider: p.provider,
    failureReason: p.failureReason,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function toOperationView(o: OperationRecord, p: PaymentRecord): PaymentOperationView {
  return {
    id: o.id,
    kind: o.kind,
    status: o.status,
    amount: { amount: o.amountMinor, currency: p.currency },
    attempts: o.attempts,
    reason: o.reason,
    createdAt: o.createdAt.toISOString(),
  };
}

export function toEventView(e: EventRecord): PaymentEventView {
  return {
    id: e.id,
    type: e.type,
    outcome: e.outcome,
    note: e.note,
    receivedAt: e.receivedAt.toISOString(),
    payload: e.payload,
  };
}
