import { Api, ApiError } from './api';
import { byId, h, money, replace, shortId, time, UUID } from './dom';

interface TripRow {
  id: string;
  status: string;
  riderId: string;
  driverId?: string | null;
  cabType: string;
  quote?: { fare: { amount: number; currency: string } };
  fare?: { amount: number; currency: string } | null;
  createdAt: string;
}
interface TimelineEntry {
  from: string | null;
  to: string;
  actor: { role: string; id: string | null };
  data: Record<string, unknown>;
  at: string;
}
interface Candidate {
  driverId: string;
  distanceMeters: number;
  pickupEtaSeconds: number;
  rating: number | null;
  acceptanceRate: number | null;
  score: number | null;
  decision: string;
}
interface DispatchLog {
  rounds: {
    round: number;
    radiusMeters: number;
    outcome: string;
    candidates: Candidate[];
    at: string;
  }[];
  offers: {
    driverId: string;
    round: number;
    score: number | null;
    outcome: string;
    reason: string | null;
    offeredAt: string;
    respondedAt: string | null;
  }[];
}
interface TripDetail {
  trip: TripRow;
  timeline: TimelineEntry[];
  dispatch: DispatchLog;
}

/** The trips table (status filter, search by trip, rider or driver id) and a trip's story. */
export class TripsPanel {
  private cursor: string | null = null;
  private filter: { status?: string; riderId?: string; driverId?: string } = {};
  private timer: number | undefined;
  onDriver: (driverId: string) => void = () => undefined;

  constructor(private readonly api: Api) {
    byId<HTMLSelectElement>('trip-status').addEventListener('change', () => void this.search());
    byId('trip-search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.search();
    });
    byId('trips-more').addEventListener('click', () => void this.load(true));
  }

  start(): void {
    void this.search();
    // The first page follows the city; a page further down stays where the operator is.
    this.timer = window.setInterval(() => {
      if (!this.cursor || byId('trips-body').childElementCount <= 25) void this.load(false);
    }, 5_000);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  async search(): Promise<void> {
    const status = byId<HTMLSelectElement>('trip-status').value || undefined;
    const q = byId<HTMLInputElement>('trip-search').value.trim();
    const error = byId('trips-error');
    error.textContent = '';
    this.filter = { status };
    if (q) {
      if (!UUID.test(q)) {
        error.textContent = 'search takes a trip, rider or driver id (a UUID)';
        return;
      }
      try {
        const found = await this.api.get<TripDetail>(`/admin/trips/${q}`);
        this.render([found.trip], false, null);
        await this.open(q);
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) {
          error.textContent = `trips: ${(e as Error).message}`;
          return;
        }
      }
      const asRider = await this.page({ ...this.filter, riderId: q }).catch(() => null);
      this.filter =
        asRider && asRider.trips.length
          ? { ...this.filter, riderId: q }
          : { ...this.filter, driverId: q };
    }
    await this.load(false);
  }

  private page(filter: Record<string, string | undefined>, cursor?: string) {
    return this.api.get<{ trips: TripRow[]; nextCursor: string | null }>('/admin/trips', {
      ...filter,
      limit: 25,
      cursor,
    });
  }

  private async load(more: boolean): Promise<void> {
    const error = byId('trips-error');
    try {
      const body = await this.page(this.filter, more ? (this.cursor ?? undefined) : undefined);
      this.render(body.trips, more, body.nextCursor);
      error.textContent = '';
    } catch (e) {
      error.textContent = `trips: ${(e as Error).message}`;
    }
  }

  private render(trips: TripRow[], more: boolean, nextCursor: string | null): void {
    const body = byId('trips-body');
    if (!more) body.replaceChildren();
    for (const t of trips) {
      const row = h(
        'tr',
        { 'data-trip-id': t.id, class: 'clickable' },
        h('td', { title: t.id }, shortId(t.id)),
        h('td', {}, h('span', { class: `status s-${t.status}` }, t.status)),
        h('td', { title: t.riderId }, shortId(t.riderId)),
        h('td', { title: t.driverId ?? '' }, shortId(t.driverId)),
        h('td', {}, t.cabType),
        h('td', {}, money(t.fare ?? t.quote?.fare)),
        h('td', {}, time(t.createdAt)),
      );
      row.addEventListener('click', () => void this.open(t.id));
      body.append(row);
    }
    if (!more && trips.length === 0) body.append(h('tr', {}, h('td', { colspan: 7 }, 'no trips')));
    this.cursor = nextCursor;
    byId<HTMLButtonElement>('trips-more').hidden = !nextCursor;
  }

  /** The trip's timeline and dispatch log: what happened, and why the rider waited. */
  async open(tripId: string): Promise<void> {
    const panel = byId('trip-detail');
    replace(panel, h('p', { class: 'muted' }, 'loading…'));
    try {
      const d = await this.api.get<TripDetail>(`/admin/trips/${tripId}`);
      const driverLink = (id: string | null | undefined) => {
        if (!id) return '—';
        const a = h('a', { href: '#', title: id, class: 'driver-link' }, shortId(id));
        a.addEventListener('click', (e) => {
          e.preventDefault();
          this.onDriver(id);
        });
        return a;
      };
      replace(
        panel,
        h('h3', {}, 'Trip ', h('code', {}, d.trip.id)),
        h(
          'p',
          {},
          h('span', { class: `status s-${d.trip.status}` }, d.trip.status),
          ` ${d.trip.cabType} · rider ${shortId(d.trip.riderId)} · driver `,
          driverLink(d.trip.driverId),
          ` · ${money(d.trip.fare ?? d.trip.quote?.fare)}`,
        ),
        h('h4', {}, 'Timeline'),
        h(
          'ol',
          { class: 'timeline' },
          ...d.timeline.map((e) =>
            h(
              'li',
              { 'data-to': e.to },
              `${time(e.at)} ${e.from ?? '∅'} → ${e.to} by ${e.actor.role}`,
              Object.keys(e.data ?? {}).length ? h('code', {}, ` ${JSON.stringify(e.data)}`) : null,
            ),
          ),
        ),
        h('h4', {}, 'Dispatch log'),
        ...(d.dispatch.rounds.length === 0
          ? [h('p', { class: 'muted' }, 'no dispatch rounds')]
          : []),
        ...d.dispatch.rounds.map((r) =>
          h(
            'div',
            { class: 'round', 'data-round': r.round },
            h('p', {}, `round ${r.round} · ${r.radiusMeters} m · ${r.outcome} · ${time(r.at)}`),
            h(
              'table',
              { class: 'candidates' },
              h(
                'tr',
                {},
                ...['driver', 'distance', 'eta', 'rating', 'score', 'decision'].map((c) =>
                  h('th', {}, c),
                ),
              ),
              ...r.candidates.map((c) =>
                h(
                  'tr',
                  { 'data-driver-id': c.driverId, 'data-decision': c.decision },
                  h('td', {}, driverLink(c.driverId)),
                  h('td', {}, `${Math.round(c.distanceMeters)} m`),
                  h('td', {}, `${Math.round(c.pickupEtaSeconds)} s`),
                  h('td', {}, c.rating ?? '—'),
                  h('td', {}, c.score === null ? '—' : c.score.toFixed(3)),
                  h('td', {}, c.decision),
                ),
              ),
            ),
          ),
        ),
        h('h4', {}, 'Offers'),
        h(
          'table',
          { class: 'offers' },
          h(
            'tr',
            {},
            ...['driver', 'round', 'score', 'outcome', 'reason', 'offered', 'answered'].map((c) =>
              h('th', {}, c),
            ),
          ),
          ...d.dispatch.offers.map((o) =>
            h(
              'tr',
              { 'data-driver-id': o.driverId, 'data-outcome': o.outcome },
              h('td', {}, driverLink(o.driverId)),
              h('td', {}, o.round),
              h('td', {}, o.score === null ? '—' : o.score.toFixed(3)),
              h('td', {}, o.outcome),
              h('td', {}, o.reason ?? ''),
              h('td', {}, time(o.offeredAt)),
              h('td', {}, time(o.respondedAt)),
            ),
          ),
        ),
      );
    } catch (e) {
      replace(
        panel,
        h('p', { class: 'error' }, `trip ${shortId(tripId)}: ${(e as Error).message}`),
      );
    }
  }
}
