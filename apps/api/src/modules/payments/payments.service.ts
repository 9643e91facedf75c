import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  PaymentEventType,
  PaymentJob,
  PaymentJobPayload,
  PaymentMethod,
  PaymentStatus,
  PaymentWebhookEvent,
  QueueName,
  TripStatus,
} from '@app/contracts';
import { applyPaymentFact, isPaymentOpen, PaymentFact, refundableMinor } from '@app/domain';
import { Clock, CLOCK } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { decodeCursor, page } from '../../common/http/cursor';
import { Outbox } from '../../common/outbox/outbox';
import { UnitOfWork } from '../../common/transactions/unit-of-work';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { PAYMENT_PROVIDER, PaymentProvider } from './payment-provider';
import { toOperationView, toPaymentView, toEventView } from './payment.views';
import {
  OperationKind,
  OperationRecord,
  PaymentRecord,
  PaymentsRepository,
} from './payments.repository';
import { verifyWebhook } from './webhook-signature';

/** What payments needs to know of a trip; trips passes it in (payments never reads trips). */
export interface TripForPayment {
  id: string;
  riderId: string;
  status: TripStatus;
  paymentMethod: PaymentMethod;
  quoteFareMinor: number;
  fareMinor: number | null;
  cancellationFeeMinor: number | null;
  currency: string;
}

const JOB_BY_KIND: Record<OperationKind, PaymentJob> = {
  AUTHORIZE: PaymentJob.AUTHORIZE,
  CAPTURE: PaymentJob.CAPTURE,
  RELEASE: PaymentJob.RELEASE,
  REFUND: PaymentJob.REFUND,
};

const EVENT_FACT: Record<PaymentEventType, { kind: OperationKind; ok: boolean }> = {
  'authorization.succeeded': { kind: 'AUTHORIZE', ok: true },
  'authorization.failed': { kind: 'AUTHORIZE', ok: false },
  'capture.succeeded': { kind: 'CAPTURE', ok: true },
  'capture.failed': { kind: 'CAPTURE', ok: false },
  'release.succeeded': { kind: 'RELEASE', ok: true },
  'refund.succeeded': { kind: 'REFUND', ok: true },
  'refund.failed': { kind: 'REFUND', ok: false },
};

/**
 * Card and cash payments of trips. Every state change is a row (payment, operation, event) and
 * happens in one transaction with the payment row locked; provider calls run in BullMQ jobs
 * (retried with exponential backoff; the job id is derived from the payment, so a step is
 * enqueued once) and their outcomes arrive by signed webhooks, stored once by event id.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly payments: PaymentsRepository,
    private readonly unitOfWork: UnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * At the request, in the trip's unit of work: the payment, and for a card an authorization of
   * the quote plus the band the final fare may rise by, so the capture fits in the hold.
   */
  async openForTrip(trip: TripForPayment, paymentMethodToken: string | null): Promise<void> {
    const card = trip.paymentMethod === PaymentMethod.CARD;
    const holdMinor = Math.ceil(trip.quoteFareMinor * (1 + this.config.fares.band.band));
    const payment = await this.payments.open({
      tripId: trip.id,
      riderId: trip.riderId,
      method: trip.paymentMethod,
      amountMinor: card ? holdMinor : trip.quoteFareMinor,
      currency: trip.currency,
      provider: card ? this.provider.name : 'cash',
      paymentMethodToken: card ? paymentMethodToken : null,
    });
    if (card) await this.request(payment, 'AUTHORIZE', holdMinor);
  }

  /**
   * When a trip ends, in its unit of work: capture the fare (completed), capture the
   * cancellation fee (a late rider cancel), or release the hold. Cash is settled here at once.
   */
  async settleTrip(trip: TripForPayment): Promise<void> {
    const payment = await this.payments.findByTrip(trip.id, true);
    if (!payment || !isPaymentOpen(payment.status)) return;
    const chargeMinor =
      trip.status === TripStatus.COMPLETED
        ? (trip.fareMinor ?? 0)
        : (trip.cancellationFeeMinor ?? 0);
    if (payment.method === PaymentMethod.CASH) {
      // Cash is collected by the driver; a cash cancellation fee stays on the trip, owed.
      const kind = trip.status === TripStatus.COMPLETED ? 'CAPTURE' : 'RELEASE';
      await this.payments.addOperation(payment.id, kind, chargeMinor, 'SUCCEEDED', 'cash');
      const fact: PaymentFact =
        kind === 'CAPTURE'
          ? { type: 'capture.succeeded', amountMinor: chargeMinor }
          : { type: 'release.succeeded' };
      await this.apply(payment, fact);
      return;
    }
    if (chargeMinor > 0) await this.request(payment, 'CAPTURE', chargeMinor);
    else await this.request(payment, 'RELEASE', 0);
  }

  /** An operator's refund: full by default, never more than what is captured and not refunded. */
  async refund(paymentId: string, amountMinor: number | undefined, reason: string | undefined) {
    return this.unitOfWork.run(async () => {
      const payment = await this.payments.findById(paymentId, true);
      if (!payment) throw DomainError.notFound('payment');
      const pending = await this.payments.pendingRefundsMinor(payment.id);
      const available = refundableMinor(payment, pending);
      if (available === 0) {
        throw new DomainError(
          ErrorCode.INVALID_STATE,
          `nothing to refund on a payment that is ${payment.status}` +
            (pending ? ` (${pending} already being refunded)` : ''),
        );
      }
      const amount = amountMinor ?? available;
      if (amount > available) {
        throw DomainError.validation([
          {
            field: 'amount',
            messages: [`at most ${available} can be refunded (captured ${payment.capturedMinor})`],
          },
        ]);
      }
      const operation = await this.request(payment, 'REFUND', amount, reason ?? null);
      return { payment: toPaymentView(payment), refund: toOperationView(operation, payment) };
    });
  }

  /** The job's step: one provider call for one operation (idempotent: the operation id is the key). */
  async runOperation(job: PaymentJobPayload): Promise<string> {
    const operation = await this.payments.findOperation(job.operationId);
    if (!operation) return 'operation not found';
    if (operation.status !== 'REQUESTED' || operation.providerRef) return 'already submitted';
    const payment = (await this.payments.findById(job.paymentId)) as PaymentRecord;
    let authorizationRef: string | null = null;
    if (operation.kind !== 'AUTHORIZE') {
      const authorization = await this.payments.operationOf(payment.id, 'AUTHORIZE');
      authorizationRef = authorization?.providerRef ?? null;
      // A capture or release waits for its hold to be placed (the job retries with backoff).
      if (authorization && !authorizationRef && authorization.status === 'REQUESTED') {
        await this.payments.countAttempt(operation.id);
        throw new Error(`the authorization of payment ${payment.id} is not placed yet`);
      }
    }
    await this.payments.countAttempt(operation.id);
    const { providerRef } = await this.provider.submit({
      kind: operation.kind,
      operationId: operation.id,
      paymentId: payment.id,
      amountMinor: operation.amountMinor,
      currency: payment.currency,
      paymentMethodToken: payment.paymentMethodToken,
      authorizationRef,
    });
    await this.payments.setOperationRef(operation.id, providerRef);
    return providerRef;
  }

  /** The job ran out of attempts: the operation failed, and so does the payment (ops follow up). */
  async operationGaveUp(job: PaymentJobPayload, error: string): Promise<void> {
    await this.unitOfWork.run(async () => {
      const payment = await this.payments.findById(job.paymentId, true);
      const operation = await this.payments.findOperation(job.operationId);
      if (!payment || !operation) return;
      if (!(await this.payments.settleOperation(operation.id, 'FAILED', error))) return;
      const fact = this.factOf(operation, false);
      if (fact) await this.apply(payment, fact, error);
    });
  }

  /**
   * `POST /payments/webhook`: checks the signature over the raw body, then applies the event
   * once: a replay (same id) and an event that would move the payment backwards change nothing.
   */
  async receiveWebhook(rawBody: unknown, signature: string | undefined) {
    if (!Buffer.isBuffer(rawBody)) throw DomainError.unauthorized('missing signed body');
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const check = verifyWebhook(rawBody, signature, this.config.payments.webhookSecret, nowSeconds);
    if (!check.ok) throw DomainError.unauthorized(`webhook refused: ${check.reason}`);
    const event = parseEvent(rawBody);
    return this.unitOfWork.run(async () => {
      const payment = await this.payments.findById(event.data.paymentId, true);
      const operation = await this.payments.findOperation(event.data.operationId);
      if (await this.payments.hasEvent(event.id)) return { received: true, duplicate: true };
      const known = EVENT_FACT[event.type];
      if (
        !payment ||
        !operation ||
        operation.paymentId !== payment.id ||
        operation.kind !== known.kind
      ) {
        await this.payments.recordEvent(
          event,
          payment?.id ?? null,
          'IGNORED',
          'unknown payment or operation',
        );
        return { received: true, applied: false };
      }
      await this.payments.settleOperation(
        operation.id,
        known.ok ? 'SUCCEEDED' : 'FAILED',
        event.data.reason ?? null,
      );
      const fact = this.factOf(operation, known.ok);
      const note = fact
        ? await this.apply(payment, fact, event.data.reason, new Date(event.created * 1000))
        : null;
      await this.payments.recordEvent(
        event,
        payment.id,
        note === null ? 'APPLIED' : 'IGNORED',
        note,
      );
      return { received: true, applied: note === null };
    });
  }

  async list(query: { status?: PaymentStatus; limit?: number; cursor?: string }) {
    const limit = query.limit ?? 50;
    const rows = await this.payments.list({
      status: query.status,
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const { items, nextCursor } = page(rows, limit);
    return { payments: items.map(toPaymentView), nextCursor };
  }

  async detail(id: string) {
    const payment = await this.payments.findById(id);
    if (!payment) throw DomainError.notFound('payment');
    const [operations, events] = await Promise.all([
      this.payments.operations(id),
      this.payments.events(id),
    ]);
    return {
      payment: toPaymentView(payment),
      operations: operations.map((o) => toOperationView(o, payment)),
      events: events.map(toEventView),
    };
  }

  /** An operation row, and its job once the transaction commits. */
  private async request(
    payment: PaymentRecord,
    kind: OperationKind,
    amountMinor: number,
    reason: string | null = null,
  ): Promise<OperationRecord> {
    const { operation, created } = await this.payments.addOperation(
      payment.id,
      kind,
      amountMinor,
      'REQUESTED',
      reason,
    );
    // In the unit of work: the provider call's job commits with its operation (the outbox).
    if (created) await this.enqueue(operation);
    return operation;
  }

  private async enqueue(operation: OperationRecord): Promise<void> {
    const jobId =
      operation.kind === 'REFUND'
        ? `refund-${operation.id}`
        : `${operation.kind.toLowerCase()}-${operation.paymentId}`;
    // Resolves once the job is in Redis or in PostgreSQL; in a unit of work a failed row fails
    // the unit. `resumeRequested` re-enqueues operations still REQUESTED whatever happened.
    await this.outbox.send({
      queue: QueueName.PAYMENTS,
      name: JOB_BY_KIND[operation.kind],
      jobId,
      data: { paymentId: operation.paymentId, operationId: operation.id },
      runAtMs: this.clock.now(),
      options: {
        attempts: this.config.payments.maxAttempts,
        backoff: { type: 'exponential', delay: this.config.payments.retryBaseMs },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 7 * 86_400 },
      },
    });
  }

  /** Re-enqueues operations left REQUESTED without a provider call (a lost enqueue, Redis emptied). */
  async resumeRequested(olderThan: Date): Promise<number> {
    const stuck = await this.payments.unsubmittedOperations(olderThan);
    for (const operation of stuck) await this.enqueue(operation);
    return stuck.length;
  }

  private factOf(operation: OperationRecord, ok: boolean): PaymentFact | null {
    switch (operation.kind) {
      case 'AUTHORIZE':
        return { type: ok ? 'authorization.succeeded' : 'authorization.failed' };
      case 'CAPTURE':
        return ok
          ? { type: 'capture.succeeded', amountMinor: operation.amountMinor }
          : { type: 'capture.failed' };
      case 'RELEASE':
        return ok ? { type: 'release.succeeded' } : null;
      case 'REFUND':
        return ok
          ? { type: 'refund.succeeded', amountMinor: operation.amountMinor }
          : { type: 'refund.failed' };
    }
  }

  /** Applies a fact to the locked payment; returns null when applied, else why it was refused. */
  private async apply(
    payment: PaymentRecord,
    fact: PaymentFact,
    failureReason?: string,
    eventAt?: Date,
  ): Promise<string | null> {
    const result = applyPaymentFact(payment, fact);
    if (!result.ok) return result.reason;
    await this.payments.update(payment.id, {
      status: result.state.status,
      capturedMinor: result.state.capturedMinor,
      refundedMinor: result.state.refundedMinor,
      failureReason: result.state.status === 'FAILED' ? (failureReason ?? 'failed') : null,
      eventAt,
    });
    Object.assign(payment, result.state);
    return null;
  }
}

function parseEvent(raw: Buffer): PaymentWebhookEvent {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw DomainError.validation([{ field: 'body', messages: ['must be JSON'] }]);
  }
  const e = body as PaymentWebhookEvent;
  const valid =
    typeof e?.id === 'string' &&
    e.id.length > 0 &&
    e.id.length <= 200 &&
    typeof e.type === 'string' &&
    e.type in EVENT_FACT &&
    typeof e.created === 'number' &&
    typeof e.data?.paymentId === 'string' &&
    /^[0-9a-f-]{36}$/i.test(e.data.paymentId) &&
    typeof e.data.operationId === 'string' &&
    /^[0-9a-f-]{36}$/i.test(e.data.operationId);
  if (!valid) {
    throw DomainError.validation([
      {
        field: 'body',
        messages: ['not a payment event: id, type, created, data.paymentId, data.operationId'],
      },
    ]);
  }
  return e;
}
