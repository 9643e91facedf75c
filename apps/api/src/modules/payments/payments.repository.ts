import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import type { PaymentMethod, PaymentStatus, PaymentWebhookEvent } from '@app/contracts';
import type { Db } from '../../common/transactions/unit-of-work';

export interface PaymentRecord {
  id: string;
  tripId: string;
  riderId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amountMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  currency: string;
  provider: string;
  providerRef: string | null;
  paymentMethodToken: string | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type OperationKind = 'AUTHORIZE' | 'CAPTURE' | 'RELEASE' | 'REFUND';
export type OperationStatus = 'REQUESTED' | 'SUCCEEDED' | 'FAILED';

export interface OperationRecord {
  id: string;
  paymentId: string;
  kind: OperationKind;
  status: OperationStatus;
  amountMinor: number;
  providerRef: string | null;
  attempts: number;
  reason: string | null;
  createdAt: Date;
}

export interface EventRecord {
  id: string;
  type: string;
  outcome: 'APPLIED' | 'IGNORED';
  note: string | null;
  payload: PaymentWebhookEvent;
  receivedAt: Date;
}

const PAYMENT_COLUMNS = `id, trip_id, rider_id, method, status, amount_minor, captured_minor,
  refunded_minor, currency, provider, provider_ref, payment_method_token, failure_reason,
  created_at, updated_at`;
const OPERATION_COLUMNS = `id, payment_id, kind, status, amount_minor, provider_ref, attempts,
  reason, created_at`;

/** Payments, their provider operations and the provider's webhook events. */
@Injectable()
export class PaymentsRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  /** The trip's payment, created once (a second open returns the first). */
  async open(input: {
    tripId: string;
    riderId: string;
    method: PaymentMethod;
    amountMinor: number;
    currency: string;
    provider: string;
    paymentMethodToken: string | null;
  }): Promise<PaymentRecord> {
    await this.db.tx.query(
      `INSERT INTO payments (trip_id, rider_id, method, status, amount_minor, currency, provider,
                             payment_method_token)
       VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7) ON CONFLICT (trip_id) DO NOTHING`,
      [
        input.tripId,
        input.riderId,
        input.method,
        input.amountMinor,
        input.currency,
        input.provider,
        input.paymentMethodToken,
      ],
    );
    return (await this.findByTrip(input.tripId)) as PaymentRecord;
  }

  async findById(id: string, lock = false): Promise<PaymentRecord | null> {
    const rows: PaymentRow[] = await this.db.tx.query(
      `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async findByTrip(tripId: string, lock = false): Promise<PaymentRecord | null> {
    const rows: PaymentRow[] = await this.db.tx.query(
      `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE trip_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [tripId],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async update(
    id: string,
    change: {
      status: PaymentStatus;
      capturedMinor: number;
      refundedMinor: number;
      failureReason?: string | null;
      providerRef?: string | null;
      eventAt?: Date;
    },
  ): Promise<void> {
    await this.db.tx.query(
      `UPDATE payments SET status = $2, captured_minor = $3, refunded_minor = $4,
         failure_reason = COALESCE($5, failure_reason), provider_ref = COALESCE($6, provider_ref),
         last_event_at = COALESCE($7, last_event_at), updated_at = now()
       WHERE id = $1`,
      [
        id,
        change.status,
        change.capturedMinor,
        change.refundedMinor,
        change.failureReason ?? null,
        change.providerRef ?? null,
        change.eventAt ?? null,
      ],
    );
  }

  /**
   * A provider operation; an authorization, capture or release that exists already is returned
   * instead (the unique index `payment_operations_once` makes a second one impossible).
   */
  async addOperation(
    paymentId: string,
    kind: OperationKind,
    amountMinor: number,
    status: OperationStatus = 'REQUESTED',
    reason: string | null = null,
  ): Promise<{ operation: OperationRecord; created: boolean }> {
    const inserted: OperationRow[] = await this.db.tx.query(
      `INSERT INTO payment_operations (payment_id, kind, amount_minor, status, reason)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (payment_id, kind) WHERE kind IN ('AUTHORIZE', 'CAPTURE', 'RELEASE') DO NOTHING
       RETURNING ${OPERATION_COLUMNS}`,
      [paymentId, kind, amountMinor, status, reason],
    );
    if (inserted[0]) return { operation: toOperation(inserted[0]), created: true };
    const rows: OperationRow[] = await this.db.tx.query(
      `SELECT ${OPERATION_COLUMNS} FROM payment_operations WHERE payment_id = $1 AND kind = $2`,
      [paymentId, kind],
    );
    return { operation: toOperation(rows[0]), created: false };
  }

  async findOperation(id: string): Promise<OperationRecord | null> {
    const rows: OperationRow[] = await this.db.tx.query(
      `SELECT ${OPERATION_COLUMNS} FROM payment_operations WHERE id = $1`,
      [id],
    );
    return rows[0] ? toOperation(rows[0]) : null;
  }

  async operationOf(paymentId: string, kind: OperationKind): Promise<OperationRecord | null> {
    const rows: OperationRow[] = await this.db.tx.query(
      `SELECT ${OPERATION_COLUMNS} FROM payment_operations WHERE payment_id = $1 AND kind = $2
       ORDER BY created_at LIMIT 1`,
      [paymentId, kind],
    );
    return rows[0] ? toOperation(rows[0]) : null;
  }

  async operations(paymentId: string): Promise<OperationRecord[]> {
    const rows: OperationRow[] = await this.db.tx.query(
      `SELECT ${OPERATION_COLUMNS} FROM payment_operations WHERE payment_id = $1
       ORDER BY created_at, id`,
      [paymentId],
    );
    return rows.map(toOperation);
  }

  /** Counts one attempt at the provider; returns the attempt number. */
  async countAttempt(operationId: string): Promise<number> {
    const rows: { attempts: number }[] = await this.db.tx.query(
      `UPDATE payment_operations SET attempts = attempts + 1, updated_at = clock_timestamp()
       WHERE id = $1 RETURNING attempts`,
      [operationId],
    );
    return rows[0]?.attempts ?? 0;
  }

  async setOperationRef(operationId: string, providerRef: string): Promise<void> {
    await this.db.tx.query(
      `UPDATE payment_operations SET provider_ref = $2, updated_at = clock_timestamp()
       WHERE id = $1`,
      [operationId, providerRef],
    );
  }

  /** Settles a requested operation; a settled one stays as it is. Returns whether it changed. */
  async settleOperation(
    operationId: string,
    status: 'SUCCEEDED' | 'FAILED',
    reason: string | null,
  ): Promise<boolean> {
    const rows: unknown[] = await this.db.tx.query(
      `UPDATE payment_operations SET status = $2, reason = COALESCE($3, reason),
         updated_at = clock_timestamp()
       WHERE id = $1 AND status = 'REQUESTED' RETURNING id`,
      [operationId, status, reason],
    );
    return rows.length > 0;
  }

  /** Operations still waiting for their provider call, created before `before`. */
  async unsubmittedOperations(before: Date, limit = 500): Promise<OperationRecord[]> {
    const rows: OperationRow[] = await this.db.tx.query(
      `SELECT ${OPERATION_COLUMNS} FROM payment_operations
       WHERE status = 'REQUESTED' AND provider_ref IS NULL AND created_at < $1
       ORDER BY created_at LIMIT $2`,
      [before, limit],
    );
    return rows.map(toOperation);
  }

  /** Refunds requested and not yet settled, which an operator cannot refund again. */
  async pendingRefundsMinor(paymentId: string): Promise<number> {
    const rows: { sum: string | null }[] = await this.db.tx.query(
      `SELECT sum(amount_minor) AS sum FROM payment_operations
       WHERE payment_id = $1 AND kind = 'REFUND' AND status = 'REQUESTED'`,
      [paymentId],
    );
    return Number(rows[0]?.sum ?? 0);
  }

  async hasEvent(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.tx.query(`SELECT 1 FROM payment_events WHERE id = $1`, [
      id,
    ]);
    return rows.length > 0;
  }

  /** Stores an event once by its id; returns false when it was there already (a replay). */
  async recordEvent(
    event: PaymentWebhookEvent,
    paymentId: string | null,
    outcome: 'APPLIED' | 'IGNORED',
    note: string | null,
  ): Promise<boolean> {
    const rows: unknown[] = await this.db.tx.query(
      `INSERT INTO payment_events (id, payment_id, type, outcome, note, payload)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [event.id, paymentId, event.type, outcome, note, event],
    );
    return rows.length > 0;
  }

  async events(paymentId: string): Promise<EventRecord[]> {
    const rows: {
      id: string;
      type: string;
      outcome: 'APPLIED' | 'IGNORED';
      note: string | null;
      payload: PaymentWebhookEvent;
      received_at: Date;
    }[] = await this.db.tx.query(
      `SELECT id, type, outcome, note, payload, received_at FROM payment_events
       WHERE payment_id = $1 ORDER BY received_at, id`,
      [paymentId],
    );
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      outcome: r.outcome,
      note: r.note,
      payload: r.payload,
      receivedAt: r.received_at,
    }));
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(filter: {
    status?: PaymentStatus;
    before?: { createdAt: Date; id: string };
    limit: number;
  }): Promise<PaymentRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.before) {
      params.push(filter.before.createdAt, filter.before.id);
      where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(filter.limit);
    const rows: PaymentRow[] = await this.db.tx.query(
      `SELECT ${PAYMENT_COLUMNS} FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toPayment);
  }
}

interface PaymentRow {
  id: string;
  trip_id: string;
  rider_id: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount_minor: number;
  captured_minor: number;
  refunded_minor: number;
  currency: string;
  provider: string;
  provider_ref: string | null;
  payment_method_token: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

interface OperationRow {
  id: string;
  payment_id: string;
  kind: OperationKind;
  status: OperationStatus;
  amount_minor: number;
  provider_ref: string | null;
  attempts: number;
  reason: string | null;
  created_at: Date;
}

function toPayment(r: PaymentRow): PaymentRecord {
  return {
    id: r.id,
    tripId: r.trip_id,
    riderId: r.rider_id,
    method: r.method,
    status: r.status,
    amountMinor: r.amount_minor,
    capturedMinor: r.captured_minor,
    refundedMinor: r.refunded_minor,
    currency: r.currency.trim(),
    provider: r.provider,
    providerRef: r.provider_ref,
    paymentMethodToken: r.payment_method_token,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toOperation(r: OperationRow): OperationRecord {
  return {
    id: r.id,
    paymentId: r.payment_id,
    kind: r.kind,
    status: r.status,
    amountMinor: r.amount_minor,
    providerRef: r.provider_ref,
    attempts: r.attempts,
    reason: r.reason,
    createdAt: r.created_at,
  };
}
