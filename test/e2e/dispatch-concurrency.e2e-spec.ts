import { Client } from 'pg';
import request from 'supertest';
import { RunningServer } from '../../apps/api/src/server';
import { emitAck, north, randomCity, signUpRider, SignedUp } from '../support/clients';
import { TEST_DATABASE_URL } from '../support/services';
import { startTestServer } from '../support/test-server';
import { OfferBody, OnlineDriver, World } from '../support/world';

jest.setTimeout(120_000);

const RIDERS = 200;
const DRIVERS = 50;

/**
 * Sends until the answer is not a 503, waiting its Retry-After as an app does (at most 6 tries).
 * A 503 here is the server shedding a burst it cannot queue within its bounded waits (a slow
 * machine under 200 requests at once): it must carry the error shape and a Retry-After, and the
 * retry must then succeed. A 503 that had created a trip would show as a 409 on the retry.
 */
async function retryingOn503(send: () => Promise<request.Response>): Promise<request.Response> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await send();
    if (response.status !== 503 || attempt === 6) return response;
    expect(response.body.error?.code).toBe('UNAVAILABLE');
    const retryAfterS = Number(response.headers['retry-after']);
    expect(retryAfterS).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfterS, 2) * 1000));
  }
}

/** `signUpRider`, tried again (after 1 s, at most 6 tries) when the server answered 503. */
async function signUpRiderRetrying(baseUrl: string): Promise<SignedUp> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await signUpRider(baseUrl);
    } catch (error) {
      if (attempt === 6 || !/got 503/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>) {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = Array.from({ length: Math.min(size, count - start) }, (_, i) => make(start + i));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

// Every guarantee holds whichever strategy proposes the drivers: the claim is the same.
const STRATEGIES: { strategy: string; window: Record<string, string> }[] = [
  { strategy: 'sequential', window: {} },
  { strategy: 'batched', window: { MATCH_BATCH_WINDOW_MS: '250' } },
];

describe.each(STRATEGIES)(
  'no double booking under load (200 riders, 50 greedy drivers, all at once), $strategy',
  ({ strategy, window }) => {
    let server: RunningServer;
    let world: World;
    let db: Client;

    beforeAll(async () => {
      server = await startTestServer({
        OFFER_TIMEOUT_MS: '3000',
        // Room for 200 requests at once (with their payment authorizations) on a loaded machine.
        MATCH_MAX_MS: '20000',
        MATCH_RETRY_MS: '250',
        SWEEP_INTERVAL_MS: '1000',
        MATCH_STRATEGY: strategy,
        ...window,
      });
      world = new World(server.url);
      db = new Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
    });
    afterAll(async () => {
      world.close();
      await db.end();
      await server.close();
    });

    it('ends every trip DRIVER_ASSIGNED or NO_DRIVER_FOUND, with no driver on two trips', async () => {
      const city = randomCity();
      const drivers: OnlineDriver[] = await inBatches(DRIVERS, 10, (i) =>
        world.driverAt(north(city, 20 * i)),
      );
      const acceptAcks: { ok: boolean; error?: { code: string } }[] = [];
      for (const driver of drivers) {
        // Greedy: accept every offer the moment it arrives.
        driver.socket.on('trip:offer', (offer: OfferBody) => {
          void emitAck(driver.socket, 'trip:accept', { tripId: offer.tripId })
            .then((ack) => acceptAcks.push(ack as { ok: boolean; error?: { code: string } }))
            .catch(() => undefined); // in flight when the sockets close at the end
        });
      }
      // Like phones, every driver pings every 3 s, so none goes stale while riders sign up.
      const heartbeat = setInterval(() => {
        for (const d of drivers)
          emitAck(d.socket, 'driver:location', { ...d.at, ts: Date.now() }).catch(() => undefined);
      }, 3_000);
      const riders: SignedUp[] = await inBatches(RIDERS, 20, () => signUpRiderRetrying(server.url));

      const responses = await Promise.all(
        riders.map((rider, i) =>
          retryingOn503(() =>
            request(server.url)
              .post('/trips')
              .set('Authorization', `Bearer ${rider.token}`)
              .send({
                pickup: north(city, 5 * i),
                dropoff: north(city, 3_000),
                cabType: 'ECONOMY',
                paymentMethod: 'CARD',
              }),
          ),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(RIDERS).fill(201));
      const tripIds = responses.map((r) => r.body.trip.id as string);

      // Wait until no trip is REQUESTED any more (bounded by the matching time limit).
      const deadline = Date.now() + 40_000;
      let open = RIDERS;
      while (Date.now() < deadline) {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM trips WHERE id = ANY($1) AND status = 'REQUESTED'`,
          [tripIds],
        );
        open = rows[0].n;
        if (open === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      clearInterval(heartbeat);
      expect(open).toBe(0);

      const { rows: byStatus } = await db.query(
        `SELECT status, count(*)::int AS n FROM trips WHERE id = ANY($1) GROUP BY status`,
        [tripIds],
      );
      const counts = Object.fromEntries(byStatus.map((r) => [r.status, r.n]));
      expect(Object.keys(counts).sort()).toEqual(['DRIVER_ASSIGNED', 'NO_DRIVER_FOUND']);
      // Every greedy driver got exactly one trip; everyone else was told no driver was found.
      expect(counts.DRIVER_ASSIGNED).toBe(DRIVERS);
      expect(counts.NO_DRIVER_FOUND).toBe(RIDERS - DRIVERS);

      const { rows: doubleBooked } = await db.query(
        `SELECT driver_id FROM trips WHERE id = ANY($1) AND driver_id IS NOT NULL
       GROUP BY driver_id HAVING count(*) > 1`,
        [tripIds],
      );
      expect(doubleBooked).toEqual([]);
      const { rows: accepted } = await db.query(
        `SELECT count(*)::int AS offers, count(DISTINCT trip_id)::int AS trips,
              count(DISTINCT driver_id)::int AS drivers
       FROM trip_offers WHERE trip_id = ANY($1) AND status = 'ACCEPTED'`,
        [tripIds],
      );
      expect(accepted[0]).toEqual({ offers: DRIVERS, trips: DRIVERS, drivers: DRIVERS });
      const { rows: pending } = await db.query(
        `SELECT count(*)::int AS n FROM trip_offers WHERE trip_id = ANY($1) AND status = 'PENDING'`,
        [tripIds],
      );
      expect(pending[0].n).toBe(0);
      // Accepts that lost a race were refused cleanly, never half-applied.
      for (const ack of acceptAcks.filter((a) => !a.ok)) expect(ack.error?.code).toBe('CONFLICT');
    });
  },
);
