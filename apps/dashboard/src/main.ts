import { io, Socket } from 'socket.io-client';
import {
  AdminDriversBatch,
  AdminFeedEvent,
  AdminServerEvents,
  AdminTripsBatch,
  Namespace,
} from '@app/contracts';
import { Api } from './api';
import { byId } from './dom';
import { DriverPanel } from './driver';
import { DriverStore } from './drivers';
import { MapView, STATE_STYLE } from './map';
import { PaymentsPanel, SurgePanel } from './money';
import { StatsPanel } from './stats';
import { TripsPanel } from './trips';

const api = new Api();
const store = new DriverStore();
let socket: Socket<AdminServerEvents> | null = null;
let map: MapView | null = null;
let feed = { connected: false, reconnects: 0, bytes: 0, lastBatchAtMs: 0, error: '' };
const panels: { start(): void; stop(): void }[] = [];

function setFeedStatus(text: string, kind: 'ok' | 'warn' | 'error'): void {
  const el = byId('feed-status');
  el.textContent = text;
  el.className = `feed-status ${kind}`;
}

function recordsBytes(batch: AdminDriversBatch): number {
  return batch.records instanceof ArrayBuffer ? batch.records.byteLength : batch.records.length;
}

function connectFeed(view: MapView, driverPanel: DriverPanel): void {
  // Same origin; the token is read at every (re)connect, so a new login is used at once.
  socket = io(Namespace.ADMIN, {
    auth: (cb) => cb({ token: api.token }),
    transports: ['websocket'],
  });
  socket.on('connect', () => {
    feed.connected = true;
    const again = feed.reconnects > 0;
    setFeedStatus(again ? 'live feed reconnected' : 'live', 'ok');
  });
  socket.on('disconnect', (reason) => {
    feed.connected = false;
    feed.reconnects += 1;
    setFeedStatus(`live feed lost (${reason}), reconnecting…`, 'error');
    // socket.io retries by itself except when the server closed the socket (a restart, a
    // deploy); then the page asks again, and a refused token ends in the login form.
    if (reason === 'io server disconnect' && api.token)
      window.setTimeout(() => socket?.connect(), 1_000);
  });
  socket.on('connect_error', (error) => {
    feed.error = error.message;
    if (error.message === 'unauthorized') {
      logout('your session has expired; log in again');
      return;
    }
    setFeedStatus(`live feed: ${error.message}, retrying…`, 'error');
  });
  socket.on(AdminFeedEvent.DRIVERS, (batch: AdminDriversBatch) => {
    feed.bytes += recordsBytes(batch) + batch.ids.length * 39;
    feed.lastBatchAtMs = batch.atMs;
    store.apply(batch);
    byId('map-count').textContent = `${store.onMap.toLocaleString()} drivers on the map`;
    driverPanel.refreshLive();
    view.requestDraw();
  });
  socket.on(AdminFeedEvent.TRIPS, (batch: AdminTripsBatch) => {
    store.applyTrips(batch);
    const capped = batch.trips.length >= batch.limit ? ` (newest ${batch.limit})` : '';
    byId('trip-count').textContent = `${batch.trips.length} open trips${capped}`;
    view.requestDraw();
  });
}

function showApp(): void {
  byId('login').hidden = true;
  byId('app').hidden = false;
  if (!map) {
    map = new MapView(byId<HTMLCanvasElement>('map'), store);
    const driverPanel = new DriverPanel(api, store);
    const trips = new TripsPanel(api);
    const surge = new SurgePanel(api);
    map.onPick = (id) => void driverPanel.open(id);
    driverPanel.onSelect = (id) => {
      if (!map) return;
      map.selected = id;
      map.requestDraw();
    };
    trips.onDriver = (id) => void driverPanel.open(id);
    surge.onCells = (cells) => {
      if (!map) return;
      map.surge = cells;
      map.requestDraw();
    };
    panels.push(new StatsPanel(api), trips, surge, new PaymentsPanel(api));
    byId('fit').addEventListener('click', () => map?.fit());
    byId('legend').replaceChildren(
      ...STATE_STYLE.map((s) => {
        const item = document.createElement('span');
        item.style.setProperty('--dot', s.color);
        item.textContent = s.label;
        return item;
      }),
    );
    connectFeed(map, driverPanel);
  } else {
    socket?.connect();
  }
  for (const p of panels) p.start();
}

function logout(message = ''): void {
  api.logout();
  socket?.disconnect();
  feed = { ...feed, connected: false };
  for (const p of panels) p.stop();
  byId('app').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message;
}

byId('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const email = byId<HTMLInputElement>('email').value.trim();
  const password = byId<HTMLInputElement>('password').value;
  const button = byId<HTMLButtonElement>('login-submit');
  button.disabled = true;
  byId('login-error').textContent = '';
  api.login(email, password).then(
    () => {
      button.disabled = false;
      byId<HTMLInputElement>('password').value = '';
      showApp();
    },
    (error: Error) => {
      button.disabled = false;
      byId('login-error').textContent = `login failed: ${error.message}`;
    },
  );
});
byId('logout').addEventListener('click', () => logout());
api.onUnauthorized = () => logout('your session has expired; log in again');

/** A read-only hook for tests and curious operators: what the page holds and last drew. */
Object.defineProperty(window, '__dashboard', {
  value: Object.freeze({
    get loggedIn() {
      return !byId('app').hidden;
    },
    get feedConnected() {
      return feed.connected;
    },
    get reconnects() {
      return feed.reconnects;
    },
    get batches() {
      return store.batches;
    },
    get feedBytes() {
      return feed.bytes;
    },
    get driversOnMap() {
      return store.onMap;
    },
    get counts() {
      return { ...store.counts };
    },
    get openTrips() {
      return store.trips.length;
    },
    get storeVersion() {
      return store.version;
    },
    get frame() {
      const s = map?.stats;
      return s ? { ...s, recentFrameMs: [...s.recentFrameMs] } : null;
    },
    positionOf: (id: string) => store.positionOf(id),
  }),
});

if (api.token) showApp();
