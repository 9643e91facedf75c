import { FeedDriverState } from '@app/contracts';
import { Api } from './api';
import { byId, h, replace, shortId, time, UUID } from './dom';
import { DriverStore } from './drivers';

interface DriverDetail {
  driver: {
    id: string;
    name: string;
    email: string;
    rating: number;
    acceptanceRate: number;
    suspended: boolean;
    vehicle: { plate: string; model: string | null; cabType: string };
    status: string;
    location: { lat: number; lng: number } | null;
    lastPingAt: string | null;
  };
  counts: {
    trips: Record<string, number>;
    offers: Record<string, number>;
    implausiblePings: number;
  };
}

const LIVE_LABEL: Record<number, string> = {
  [FeedDriverState.AVAILABLE]: 'available',
  [FeedDriverState.OFFERED]: 'holding an offer',
  [FeedDriverState.ON_TRIP]: 'on a trip',
  [FeedDriverState.STALE]: 'stale (no recent ping)',
};

const counts = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ') || 'none';

/** One driver: search by id (or a click on the map), live state, suspend and reinstate. */
export class DriverPanel {
  private current: DriverDetail | null = null;
  onSelect: (driverId: string | null) => void = () => undefined;

  constructor(
    private readonly api: Api,
    private readonly store: DriverStore,
  ) {
    byId('driver-search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const q = byId<HTMLInputElement>('driver-search').value.trim();
      if (!UUID.test(q)) {
        byId('driver-error').textContent =
          'search takes a driver id (a UUID); or click a dot on the map';
        return;
      }
      void this.open(q);
    });
    byId('driver-list-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.list();
    });
  }

  async open(driverId: string): Promise<void> {
    byId<HTMLInputElement>('driver-search').value = driverId;
    byId('driver-error').textContent = '';
    try {
      this.current = await this.api.get<DriverDetail>(`/admin/drivers/${driverId}`);
      this.onSelect(driverId);
      this.render();
    } catch (e) {
      this.current = null;
      this.onSelect(null);
      replace(byId('driver-detail'));
      byId('driver-error').textContent = `driver ${shortId(driverId)}: ${(e as Error).message}`;
    }
  }

  /** The live line follows the feed without asking the API again. */
  refreshLive(): void {
    if (!this.current) return;
    const line = document.getElementById('driver-live');
    if (line) line.textContent = this.liveText(this.current.driver.id);
  }

  private liveText(id: string): string {
    const at = this.store.positionOf(id);
    if (!at) return 'live: not on the map (offline)';
    return `live: ${LIVE_LABEL[at[2]] ?? at[2]} at ${at[0].toFixed(5)}, ${at[1].toFixed(5)}`;
  }

  private render(): void {
    const detail = byId('driver-detail');
    const d = this.current;
    if (!d) return replace(detail);
    const { driver } = d;
    const action = driver.suspended ? 'reinstate' : 'suspend';
    const button = h(
      'button',
      { id: 'driver-action', type: 'button', class: driver.suspended ? '' : 'danger' },
      action === 'suspend' ? 'Suspend…' : 'Reinstate…',
    );
    const confirm = h('div', { id: 'driver-confirm', class: 'confirm', hidden: true });
    button.addEventListener('click', () => {
      const yes = h(
        'button',
        { id: 'driver-confirm-yes', type: 'button', class: 'danger' },
        `Yes, ${action} ${driver.name}`,
      );
      const no = h('button', { id: 'driver-confirm-no', type: 'button' }, 'Cancel');
      yes.addEventListener('click', () => void this.act(driver.id, action));
      no.addEventListener('click', () => (confirm.hidden = true));
      replace(
        confirm,
        h(
          'p',
          {},
          action === 'suspend'
            ? 'A suspended driver leaves the map at once, gets no offers and cannot go available.'
            : 'The driver may go available again.',
        ),
        yes,
        no,
      );
      confirm.hidden = false;
    });
    replace(
      detail,
      h('h3', {}, driver.name, ' ', h('code', { title: driver.id }, shortId(driver.id))),
      h(
        'p',
        { id: 'driver-suspended', class: driver.suspended ? 'error' : 'muted' },
        driver.suspended ? 'SUSPENDED' : 'active',
      ),
      h(
        'p',
        {},
        `${driver.vehicle.cabType} · ${driver.vehicle.plate}${driver.vehicle.model ? ` · ${driver.vehicle.model}` : ''} · ${driver.email}`,
      ),
      h(
        'p',
        {},
        `rating ${driver.rating.toFixed(2)} · acceptance ${(driver.acceptanceRate * 100).toFixed(0)} %`,
      ),
      h(
        'p',
        { id: 'driver-status' },
        `status ${driver.status} · last ping ${time(driver.lastPingAt)}`,
      ),
      h('p', { id: 'driver-live' }, this.liveText(driver.id)),
      h('p', {}, `trips: ${counts(d.counts.trips)}`),
      h(
        'p',
        {},
        `offers: ${counts(d.counts.offers)} · implausible pings ${d.counts.implausiblePings}`,
      ),
      button,
      confirm,
    );
  }

  private async act(driverId: string, action: 'suspend' | 'reinstate'): Promise<void> {
    try {
      await this.api.post(`/admin/drivers/${driverId}/${action}`);
      await this.open(driverId);
    } catch (e) {
      byId('driver-error').textContent = `${action}: ${(e as Error).message}`;
    }
  }

  private async list(): Promise<void> {
    const status = byId<HTMLSelectElement>('driver-status-filter').value || undefined;
    const out = byId('driver-list');
    try {
      const body = await this.api.get<{ drivers: DriverDetail['driver'][] }>('/admin/drivers', {
        status,
        limit: 20,
      });
      replace(
        out,
        ...body.drivers.map((d) => {
          const row = h(
            'li',
            { class: 'clickable', 'data-driver-id': d.id },
            `${d.name} · ${d.status}${d.suspended ? ' · suspended' : ''} · ${shortId(d.id)}`,
          );
          row.addEventListener('click', () => void this.open(d.id));
          return row;
        }),
      );
      if (body.drivers.length === 0) replace(out, h('li', { class: 'muted' }, 'none'));
    } catch (e) {
      byId('driver-error').textContent = `drivers: ${(e as Error).message}`;
    }
  }
}
