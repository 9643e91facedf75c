import { Api, ApiError } from './api';
import { byId, h, money, replace, shortId, time } from './dom';
import { SurgeCell } from './map';

const NOT_AVAILABLE = (path: string) =>
  h('p', { class: 'muted not-available' }, `not available: ${path} is not on this server yet`);

/** Surge cells from GET /admin/surge (shaded on the map too), or "not available" on 404. */
export class SurgePanel {
  private timer: number | undefined;
  onCells: (cells: SurgeCell[]) => void = () => undefined;

  constructor(private readonly api: Api) {}

  start(): void {
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), 10_000);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    const body = byId('surge-body');
    try {
      const { cells } = await this.api.get<{ cells: SurgeCell[] }>('/admin/surge');
      this.onCells(cells);
      const top = [...cells].sort((a, b) => b.multiplier - a.multiplier).slice(0, 12);
      replace(
        body,
        top.length === 0
          ? h('p', { class: 'muted' }, 'no surge anywhere')
          : h(
              'table',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'cell'),
                h('th', {}, '×'),
                h('th', {}, 'demand'),
                h('th', {}, 'supply'),
              ),
              ...top.map((c) =>
                h(
                  'tr',
                  {},
                  h('td', {}, c.geohash),
                  h('td', {}, c.multiplier.toFixed(2)),
                  h('td', {}, c.demand ?? '—'),
                  h('td', {}, c.supply ?? '—'),
                ),
              ),
            ),
      );
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        this.onCells([]);
        replace(body, NOT_AVAILABLE('GET /admin/surge'));
      } else replace(body, h('p', { class: 'error' }, `surge: ${(e as Error).message}`));
    }
  }
}

interface PaymentRow {
  id: string;
  tripId?: string;
  status: string;
  amount?: { amount: number; currency: string };
  refunded?: { amount: number; currency: string } | null;
  method?: string;
  createdAt?: string;
}

/** Payments from GET /admin/payments with a refund (after a confirmation), or "not available". */
export class PaymentsPanel {
  private timer: number | undefined;

  constructor(private readonly api: Api) {
    byId<HTMLSelectElement>('payment-status').addEventListener('change', () => void this.poll());
  }

  start(): void {
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), 15_000);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    const body = byId('payments-body');
    const status = byId<HTMLSelectElement>('payment-status').value || undefined;
    try {
      const answer = await this.api.get<{ payments?: PaymentRow[]; items?: PaymentRow[] }>(
        '/admin/payments',
        {
          status,
          limit: 20,
        },
      );
      const rows = answer.payments ?? answer.items ?? [];
      replace(
        body,
        rows.length === 0
          ? h('p', { class: 'muted' }, 'no payments')
          : h(
              'table',
              {},
              h(
                'tr',
                {},
                ...['payment', 'trip', 'status', 'amount', 'refunded', 'at', ''].map((c) =>
                  h('th', {}, c),
                ),
              ),
              ...rows.map((p) => this.row(p)),
            ),
      );
    } catch (e) {
      if (e instanceof ApiError && e.status === 404)
        replace(body, NOT_AVAILABLE('GET /admin/payments'));
      else replace(body, h('p', { class: 'error' }, `payments: ${(e as Error).message}`));
    }
  }

  private row(p: PaymentRow): HTMLTableRowElement {
    const refund = h('button', { type: 'button' }, 'Refund…');
    const cell = h('td', {}, refund);
    refund.addEventListener('click', () => {
      const yes = h(
        'button',
        { type: 'button', class: 'danger' },
        `Yes, refund ${money(p.amount)}`,
      );
      yes.addEventListener('click', () => {
        this.api.post(`/admin/payments/${p.id}/refund`, { reason: 'operator refund' }).then(
          () => void this.poll(),
          (e: Error) => replace(cell, h('span', { class: 'error' }, `refund: ${e.message}`)),
        );
      });
      replace(cell, yes);
    });
    return h(
      'tr',
      { 'data-payment-id': p.id },
      h('td', { title: p.id }, shortId(p.id)),
      h('td', { title: p.tripId ?? '' }, shortId(p.tripId)),
      h('td', {}, p.status),
      h('td', {}, money(p.amount)),
      h('td', {}, money(p.refunded)),
      h('td', {}, time(p.createdAt)),
      cell,
    );
  }
}
