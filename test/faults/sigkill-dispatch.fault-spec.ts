import { Client } from 'pg';
import { emitAck, north, randomCity } from '../support/clients';
import { ServerProcess, startServerProcess } from '../support/processes';
import { TEST_DATABASE_URL } from '../support/services';
import { OfferBody, World } from '../support/world';
import { brokenInvariants, Figures, pause, waitFor } from './fault-kit';

jest.setTimeout(240_000);

const ENV = {
  SWEEP_INTERVAL_MS: '1000',
  OFFER_TIMEOUT_MS: '5000',
  MATCH_RETRY_MS: '500',
  MATCH_MAX_MS: '30000',
  LOCATION_FLUSH_INTERVAL_MS: '100',
};

/**
 * The worker SIGKILLed mid-dispatch, once, then twice in a row (the replacement killed a second
 * after it came up), with trips matching and drivers accepting every offer: every trip ends
 * DRIVER_ASSIGNED or NO_DRIVER_FOUND, as many assigned as there are drivers, no driver on two
 * trips, no trip offered twice to a driver.
 */
describe('SIGKILL mid-dispatch', () => {
  let api: ServerProcess;
  const started: ServerProcess[] = [];
  let world: World;
  let db: Client;
  const figures = new Figures('worker SIGKILLed mid-dispatch (one api process, workers by pid)');

  beforeAll(async () => {
    started.push(await startServerProcess('worker-1', 'worker', ENV));
    api = await startServerProcess('api', 'api', ENV);
    started.push(api);
    world = new World(api.url);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    figures.print();
    world?.close();
    await Promise.all(started.map((p) => p.kill('SIGKILL')));
    await db?.end();
  });

  async function round(kills: number, label: string) {
    const city = randomCity();
    const drivers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => world.driverAt(north(city, 50 * i))),
    );
    const stopPinging = world.keepPinging(...drivers);
    for (const d of drivers) {
      d.socket.on('trip:offer', (offer: OfferBody) => {
        emitAck(d.socket, 'trip:accept', { tripId: offer.tripId }).catch(() => undefined);
      });
    }
    try {
      const riders = await Promise.all(Array.from({ length: 10 }, () => world.rider()));
      const trips = await Promise.all(riders.map((r) => world.requestTrip(r, city)));
      const ids = trips.map((t) => t.id);
      await pause(300);
      let startedAt = Date.now();
      for (let k = 0; k < kills; k++) {
        const victim = started.find(
          (p) => p.name.startsWith('worker') && p !== api,
        ) as ServerProcess;
        await victim.kill('SIGKILL');
        started.splice(started.indexOf(victim), 1);
        const next = await startServerProcess(`worker-${label}-${k}`, 'worker', ENV);
        started.push(next);
        startedAt = Date.now();
        if (k < kills - 1) await pause(1_000);
      }
      const settled = await waitFor(
        async () =>
          (await db.query(`SELECT status FROM trips WHERE id = ANY($1)`, [ids])).rows.map(
            (r: { status: string }) => r.status,
          ),
        (s) => s.every((x) => x === 'DRIVER_ASSIGNED' || x === 'NO_DRIVER_FOUND'),
        60_000,
        250,
      );
      const assigned = settled.value.filter((s) => s === 'DRIVER_ASSIGNED').length;
      figures.add(
        `${label}: every trip defined after the last worker started`,
        `${settled.ms} ms (assigned ${assigned}, no driver ${settled.value.length - assigned})`,
      );
      figures.add(`${label}: since the last start`, `${Date.now() - startedAt} ms`);
      expect(settled.ok).toBe(true);
      expect(assigned).toBe(drivers.length);
      expect(await brokenInvariants(db)).toEqual({});
    } finally {
      stopPinging();
    }
  }

  it('loses nothing when the worker is killed once', () => round(1, 'once'));

  it('loses nothing when the worker is killed twice in a row', () => round(2, 'twice'));
});
