import request from 'supertest';
import { fareMinor } from '@app/domain';
import { Clock, CLOCK } from '../../apps/api/src/common/clock';
import { signWebhook } from '../../apps/api/src/modules/payments/webhook-signature';
import { SurgeService } from '../../apps/api/src/modules/surge/surge.service';
import { RunningServer } from '../../apps/api/src/server';
import { nextEvent, north, randomCity } from '../support/clients';
import { startTestServer, TEST_ADMIN } from '../support/test-server';
import { OfferBody, OnlineDriver, TripBody, World } from '../support/world';

jest.setTimeout(90_000);

const SECRET = 'test-payment-webhook-secret';

interface Payment {
  status: string;
  amount: { amount: number; currency: string };
  refunded?: { amount: number };
}
interface Trip extends TripBody {
  quote: { fare: { amount: number }; surgeMultiplier: number };
  payment?: Payment;
  cancellationFee?: { amount: number };
}
interface Estimate {
  cabType: string;
  fare: { amount: number; currency: string };
  surgeMultiplier: number;
  etaSeconds: number | null;
  distanceMeters: number;
  durationSeconds: number;
  available: boolean;
  quoteId: string;
  quoteExpiresAt: string;
}

describe('the money loop: quotes, surge, payments, refunds, ratings (real services)', () => {
  let server: RunningServer;
  let world: World;
  let admin: string;
  /** The injected clock, shifted by `offsetMs` where a test would otherwise wait. */
  let offsetMs = 0;

  beforeAll(async () => {
    server = await startTestServer({
      PAYMENT_WEBHOOK_SECRET: SECRET,
      PAYMENT_RETRY_BASE_MS: '100',
      PAYMENT_SANDBOX_DELAY_MS: '50',
      SURGE_INTERVAL_MS: '3600000', // the test runs the periods itself
      OFFER_TIMEOUT_MS: '5000',
      MATCH_RETRY_MS: '300',
    });
    const clock = server.app.get<Clock>(CLOCK);
    const real = clock.now.bind(clock);
    clock.now = () => real() + offsetMs;
    const login = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' })
      .expect(200);
    admin = login.body.accessToken;
  });
  beforeEach(() => {
    world = new World(server.url);
    offsetMs = 0;
  });
  afterEach(() => world.close());
  afterAll(() => server.close());

  const api = () => request(server.url);
  const estimate = async (token: string, pickup: { lat: number; lng: number }) => {
    const dropoff = north(pickup, 3_000);
    const res = await api()
      .get('/trips/estimate')
      .query({
        pickupLat: pickup.lat,
        pickupLng: pickup.lng,
        dropoffLat: dropoff.lat,
        dropoffLng: dropoff.lng,
      })
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    return res.body.estimates as Estimate[];
  };
  const requestTrip = (
    token: string,
    pickup: { lat: number; lng: number },
    extra: Record<string, unknown> = {},
  ) =>
    api()
      .post('/trips')
      .set('Authorization', `Bearer ${token}`)
      .send({
        pickup,
        dropoff: north(pickup, 3_000),
        cabType: 'ECONOMY',
        paymentMethod: 'CARD',
        ...extra,
      });
  const tripOf = async (token: string, id: string) =>
    (await world.getTrip(token, id)).body.trip as Trip;
  const paymentOfTrip = async (tripId: string) => {
    const res = await api()
      .get('/admin/payments')
      .query({ limit: 200 })
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    const row = (res.body.payments as { id: string; tripId: string }[]).find(
      (p) => p.tripId === tripId,
    );
    if (!row) throw new Error(`no payment for trip ${tripId}`);
    const detail = await api()
      .get(`/admin/payments/${row.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    return detail.body as {
      payment: {
        id: string;
        status: string;
        captured: { amount: number } | null;
        refunded: { amount: number } | null;
      };
      operations: { kind: string; status: string; attempts: number; amount: { amount: number } }[];
      events: { id: string; type: string; outcome: string; payload: unknown }[];
    };
  };
  /** Polls until `check` passes (the sandbox settles asynchronously); fails after `ms`. */
  async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 15_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (check(value)) return value;
      if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const postWebhook = (body: string, signature?: string) => {
    const req = api().post('/payments/webhook').set('Content-Type', 'application/json');
    if (signature !== undefined) req.set('X-Signature', signature);
    return req.send(body);
  };
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  /** The driver's next offer: listen before the request, as the offer may come at once. */
  const nextOffer = (driver: OnlineDriver) =>
    nextEvent<OfferBody>(driver.socket, 'trip:offer', () => true, 10_000);

  /** Offer, accept, arrive, start with the code; completes unless `stopAt` says otherwise. */
  async function ride(
    driver: OnlineDriver,
    riderToken: string,
    tripId: string,
    offered: Promise<OfferBody>,
    stopAt?: 'arrived',
  ) {
    expect((await offered).tripId).toBe(tripId);
    expect((await world.step(driver.socket, 'trip:accept', { tripId })).ok).toBe(true);
    const code = (await tripOf(riderToken, tripId)).pickupCode;
    expect((await world.step(driver.socket, 'trip:arrive', { tripId })).ok).toBe(true);
    if (stopAt === 'arrived') return undefined;
    expect((await world.step(driver.socket, 'trip:start', { tripId, pickupCode: code })).ok).toBe(
      true,
    );
    const done = await world.step(driver.socket, 'trip:complete', { tripId });
    expect(done.trip.status).toBe('COMPLETED');
    return done.trip as Trip;
  }

  it('estimates every cab type with a quote, available where a driver is near', async () => {
    const city = randomCity();
    await world.driverAt(north(city, 600), 'XL');
    const rider = await world.rider();
    const estimates = await estimate(rider.token, city);
    expect(estimates.map((e) => e.cabType)).toEqual(['ECONOMY', 'XL', 'PREMIUM']);
    for (const e of estimates) {
      expect(e.quoteId).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(e.quoteExpiresAt).getTime() - Date.now()).toBeGreaterThan(100_000);
      expect(e.surgeMultiplier).toBe(1);
      expect(e.distanceMeters).toBe(3_900); // 3 km x road factor 1.3
      expect(e.durationSeconds).toBe(562); // at 25 km/h
      expect(e.fare).toEqual({
        amount: fareMinor(e.cabType as 'XL', e.distanceMeters, e.durationSeconds, 1),
        currency: 'USD',
      });
      expect(e.available).toBe(e.cabType === 'XL');
      expect(e.etaSeconds).toBe(e.cabType === 'XL' ? 112 : null);
    }
    // Nobody anywhere near: every type unavailable, still priced.
    const empty = await estimate(rider.token, randomCity());
    expect(empty.every((e) => !e.available && e.etaSeconds === null && e.fare.amount > 0)).toBe(
      true,
    );
  });

  it('keeps the fare of a quoteId; refuses an expired, foreign or mismatched one', async () => {
    const city = randomCity();
    const rider = await world.rider();
    const other = await world.rider();
    const [economy] = await estimate(rider.token, city);

    offsetMs = 121_000; // the quote's two minutes are over
    const expired = await requestTrip(rider.token, city, { quoteId: economy.quoteId }).expect(422);
    expect(expired.body).toMatchObject({ error: 'INVALID_QUOTE', details: [{ field: 'quoteId' }] });
    expect(expired.body.message).toMatch(/expired/);
    offsetMs = 0;

    const [fresh, xl] = await estimate(rider.token, city);
    await requestTrip(other.token, city, { quoteId: fresh.quoteId }).expect(404);
    const wrongType = await requestTrip(rider.token, city, { quoteId: xl.quoteId }).expect(422);
    expect(wrongType.body.message).toMatch(/is for XL, not ECONOMY/);
    const elsewhere = await requestTrip(rider.token, north(city, 2_000), {
      quoteId: fresh.quoteId,
    }).expect(422);
    expect(elsewhere.body.message).toMatch(/another route/);

    const res = await requestTrip(rider.token, city, { quoteId: fresh.quoteId }).expect(201);
    expect(res.body.trip.quote).toEqual({
      fare: fresh.fare,
      surgeMultiplier: fresh.surgeMultiplier,
    });
    await api()
      .post(`/trips/${res.body.trip.id}/cancel`)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
    // Without a quoteId a fresh quote is made and shown.
    const plain = await requestTrip(other.token, city).expect(201);
    expect(plain.body.trip.quote.fare).toEqual(fresh.fare);
    await api()
      .post(`/trips/${plain.body.trip.id}/cancel`)
      .set('Authorization', `Bearer ${other.token}`)
      .expect(200);
  });

  it('captures a completed card trip exactly once: transient failures retried, webhooks replayed out of order', async () => {
    const city = randomCity();
    const driver = await world.driverAt(north(city, 500));
    const rider = await world.rider();
    const [quote] = await estimate(rider.token, city);
    const offered = nextOffer(driver);
    const requested = await requestTrip(rider.token, city, {
      quoteId: quote.quoteId,
      paymentMethodToken: 'tok_transient',
    }).expect(201);
    const tripId = requested.body.trip.id as string;
    await eventually(
      () => tripOf(rider.token, tripId),
      (t) => t.payment?.status === 'AUTHORIZED',
    );

    const completed = (await ride(driver, rider.token, tripId, offered)) as Trip;
    const fare = completed.fare?.amount as number;
    expect(fare).toBeGreaterThanOrEqual(Math.ceil(quote.fare.amount * 0.8));
    expect(fare).toBeLessThanOrEqual(Math.floor(quote.fare.amount * 1.2));
    const captured = await eventually(
      () => tripOf(rider.token, tripId),
      (t) => t.payment?.status === 'CAPTURED',
    );
    expect(captured.payment).toEqual({
      status: 'CAPTURED',
      amount: { amount: fare, currency: 'USD' },
    });

    const before = await paymentOfTrip(tripId);
    // Each provider call failed once (503) and succeeded on the job's retry.
    expect(before.operations.map((o) => [o.kind, o.status, o.attempts])).toEqual([
      ['AUTHORIZE', 'SUCCEEDED', 2],
      ['CAPTURE', 'SUCCEEDED', 2],
    ]);
    expect(before.events.map((e) => [e.type, e.outcome])).toEqual([
      ['authorization.succeeded', 'APPLIED'],
      ['capture.succeeded', 'APPLIED'],
    ]);

    // The provider delivers again: the capture three times and the older authorization twice, interleaved.
    const [authorization, capture] = before.events.map((e) => JSON.stringify(e.payload));
    for (const body of [capture, authorization, capture, authorization, capture]) {
      const res = await postWebhook(body, signWebhook(body, SECRET, nowSeconds())).expect(200);
      expect(res.body).toEqual({ received: true, duplicate: true });
    }
    // A new event id claiming the capture again (or an authorization after it) moves nothing.
    const late = JSON.stringify({ ...JSON.parse(authorization), id: 'evt_late_authorization' });
    expect(
      (await postWebhook(late, signWebhook(late, SECRET, nowSeconds())).expect(200)).body,
    ).toEqual({
      received: true,
      applied: false,
    });

    const after = await paymentOfTrip(tripId);
    expect(after.payment).toMatchObject({ status: 'CAPTURED', captured: { amount: fare } });
    expect(after.operations.filter((o) => o.kind === 'CAPTURE')).toHaveLength(1);
    expect(after.events.map((e) => [e.type, e.outcome])).toEqual([
      ['authorization.succeeded', 'APPLIED'],
      ['capture.succeeded', 'APPLIED'],
      ['authorization.succeeded', 'IGNORED'],
    ]);

    // Refunds: never more than captured; partial, then the rest.
    const refund = (amount?: number) =>
      api()
        .post(`/admin/payments/${after.payment.id}/refund`)
        .set('Authorization', `Bearer ${admin}`)
        .send(amount === undefined ? { reason: 'test' } : { amount, reason: 'test' });
    const tooMuch = await refund(fare + 1).expect(400);
    expect(tooMuch.body.details).toEqual([
      { field: 'amount', messages: [expect.stringMatching(`at most ${fare}`)] },
    ]);
    await refund(100).expect(201);
    await refund(fare).expect(400); // 100 is already being refunded
    const partly = await eventually(
      () => tripOf(rider.token, tripId),
      (t) => t.payment?.status === 'PARTIALLY_REFUNDED',
    );
    expect(partly.payment?.refunded).toEqual({ amount: 100, currency: 'USD' });
    await refund().expect(201);
    const refunded = await eventually(
      () => tripOf(rider.token, tripId),
      (t) => t.payment?.status === 'REFUNDED',
    );
    expect(refunded.payment?.refunded).toEqual({ amount: fare, currency: 'USD' });
    await refund(1).expect(409);
  });

  it('ends a declined card FAILED, listed in /admin/payments', async () => {
    const city = randomCity();
    const rider = await world.rider();
    const res = await requestTrip(rider.token, city, { paymentMethodToken: 'tok_declined' }).expect(
      201,
    );
    const tripId = res.body.trip.id as string;
    const failed = await eventually(
      () => tripOf(rider.token, tripId),
      (t) => t.payment?.status === 'FAILED',
    );
    expect(failed.payment?.amount.amount).toBeGreaterThan(0);
    const list = await api()
      .get('/admin/payments')
      .query({ status: 'FAILED', limit: 200 })
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(list.body.payments).toContainEqual(
      expect.objectContaining({ tripId, status: 'FAILED', failureReason: 'card_declined' }),
    );
    expect(list.body.payments.every((p: { status: string }) => p.status === 'FAILED')).toBe(true);
    await api()
      .post(`/trips/${tripId}/cancel`)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
    // A FAILED payment is final: the cancel does not release it.
    expect((await tripOf(rider.token, tripId)).payment?.status).toBe('FAILED');
  });

  it('refuses a forged, stale, future or unsigned webhook with 401 and changes nothing', async () => {
    const rider = await world.rider();
    const res = await requestTrip(rider.token, randomCity()).expect(201);
    const tripId = res.body.trip.id as string;
    await eventually(
      () => tripOf(rider.token, tripId),
      (t) => t.payment?.status === 'AUTHORIZED',
    );
    const before = await paymentOfTrip(tripId);
    const authorize = before.operations[0] as unknown as { id?: string };
    // A capture claim for this payment, as an attacker would send it.
    const opId = (before.events[0].payload as { data: { operationId: string } }).data.operationId;
    const body = JSON.stringify({
      id: 'evt_forged_capture',
      type: 'capture.succeeded',
      created: nowSeconds(),
      data: {
        paymentId: before.payment.id,
        operationId: opId,
        amountMinor: 1,
        currency: 'USD',
        providerRef: 'x',
      },
    });
    const t = nowSeconds();
    for (const signature of [
      signWebhook(body, 'not-the-secret', t),
      signWebhook(body, SECRET, t - 301),
      signWebhook(body, SECRET, t + 120),
      undefined,
      `t=${t},v1=${'0'.repeat(64)}`,
      signWebhook(body.replace('"amountMinor":1', '"amountMinor":2'), SECRET, t),
    ]) {
      const refused = await postWebhook(body, signature).expect(401);
      expect(refused.body.error).toBe('UNAUTHORIZED');
    }
    const after = await paymentOfTrip(tripId);
    expect(after).toEqual(before);
    expect(authorize).toBeDefined();
    await api()
      .post(`/trips/${tripId}/cancel`)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
  });

  it('charges the cancellation fee after the grace period, and nothing for an early cancel', async () => {
    const city = randomCity();
    const driver = await world.driverAt(north(city, 400));
    const stop = world.keepPinging(driver);
    try {
      const early = await world.rider();
      const firstOffer = nextOffer(driver);
      const first = (await requestTrip(early.token, city).expect(201)).body.trip.id as string;
      await eventually(
        () => tripOf(early.token, first),
        (t) => t.payment?.status === 'AUTHORIZED',
      );
      await ride(driver, early.token, first, firstOffer, 'arrived');
      const free = await api()
        .post(`/trips/${first}/cancel`)
        .set('Authorization', `Bearer ${early.token}`)
        .expect(200);
      expect(free.body.trip.cancellationFee).toBeUndefined();
      await eventually(
        () => tripOf(early.token, first),
        (t) => t.payment?.status === 'RELEASED',
      );

      const late = await world.rider();
      const secondOffer = nextOffer(driver);
      const second = (await requestTrip(late.token, city).expect(201)).body.trip.id as string;
      await eventually(
        () => tripOf(late.token, second),
        (t) => t.payment?.status === 'AUTHORIZED',
      );
      await ride(driver, late.token, second, secondOffer, 'arrived');
      offsetMs = 121_000; // the driver has waited past the two-minute grace period
      const charged = await api()
        .post(`/trips/${second}/cancel`)
        .set('Authorization', `Bearer ${late.token}`)
        .expect(200);
      offsetMs = 0;
      expect(charged.body.trip.cancellationFee).toEqual({ amount: 500, currency: 'USD' });
      const paid = await eventually(
        () => tripOf(late.token, second),
        (t) => t.payment?.status === 'CAPTURED',
      );
      expect(paid.payment?.amount).toEqual({ amount: 500, currency: 'USD' });
    } finally {
      stop();
    }
  });

  it('raises surge in a cell with many requests and no drivers, and lets it fall after they stop', async () => {
    const city = randomCity();
    const surge = server.app.get(SurgeService);
    const riders = await Promise.all(Array.from({ length: 12 }, () => world.rider()));
    for (const r of riders) await requestTrip(r.token, city).expect(201);
    await surge.recompute();
    const cellOf = async () => {
      const res = await api()
        .get('/admin/surge')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      return (
        res.body.cells as { geohash: string; multiplier: number; demand: number; supply: number }[]
      ).find((c) => c.demand === 12);
    };
    const hot = await cellOf();
    expect(hot).toMatchObject({ demand: 12, supply: 0 });
    expect(hot?.geohash).toHaveLength(6);
    expect(hot?.multiplier).toBeGreaterThan(1);
    const quoted = await estimate(riders[0].token, city);
    expect(quoted[0].surgeMultiplier).toBe(hot?.multiplier);
    expect(quoted[0].fare.amount).toBe(
      fareMinor('ECONOMY', quoted[0].distanceMeters, quoted[0].durationSeconds, hot?.multiplier),
    );

    // The requests stop: once they are older than the demand window, the surge falls back,
    // holding for a period first (hysteresis).
    offsetMs = 301_000;
    const history: number[] = [];
    for (let period = 0; period < 8; period++) {
      await surge.recompute();
      const res = await api()
        .get('/admin/surge')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      const cell = (res.body.cells as { geohash: string; multiplier: number }[]).find(
        (c) => c.geohash === hot?.geohash,
      );
      history.push(cell?.multiplier ?? 1);
    }
    offsetMs = 0;
    expect(history[0]).toBe(hot?.multiplier);
    expect(history[history.length - 1]).toBe(1);
    for (let i = 1; i < history.length; i++) expect(history[i]).toBeLessThanOrEqual(history[i - 1]);
    for (const r of riders) {
      const open = await api().get('/trips').set('Authorization', `Bearer ${r.token}`);
      for (const t of open.body.trips as { id: string; status: string }[]) {
        if (t.status === 'REQUESTED')
          await api().post(`/trips/${t.id}/cancel`).set('Authorization', `Bearer ${r.token}`);
      }
    }
  });

  it('rates once per side after completion and keeps the averages', async () => {
    const city = randomCity();
    const driver = await world.driverAt(north(city, 300));
    const stop = world.keepPinging(driver);
    try {
      const rider = await world.rider();
      const firstOffer = nextOffer(driver);
      const first = (await requestTrip(rider.token, city, { paymentMethod: 'CASH' }).expect(201))
        .body.trip.id;
      const rate = (token: string, id: string, path: 'rating' | 'rider-rating', rating: number) =>
        api()
          .post(`/trips/${id}/${path}`)
          .set('Authorization', `Bearer ${token}`)
          .send({ rating, feedback: 'ok' });
      expect((await rate(rider.token, first, 'rating', 5).expect(409)).body.error).toBe(
        'INVALID_STATE',
      );
      const done = (await ride(driver, rider.token, first, firstOffer)) as Trip;
      // Cash is captured when the driver completes.
      expect(done.payment).toEqual({ status: 'CAPTURED', amount: done.fare });

      await rate(rider.token, first, 'rating', 4).expect(201);
      expect((await rate(rider.token, first, 'rating', 5).expect(409)).body.error).toBe('CONFLICT');
      await rate(driver.token, first, 'rider-rating', 3).expect(201);
      const stranger = await world.rider();
      await rate(stranger.token, first, 'rating', 1).expect(404);
      await rate(rider.token, first, 'rating', 6).expect(400);

      const secondOffer = nextOffer(driver);
      const second = (await requestTrip(rider.token, city, { paymentMethod: 'CASH' }).expect(201))
        .body.trip.id;
      await ride(driver, rider.token, second, secondOffer);
      await rate(rider.token, second, 'rating', 5).expect(201);

      const me = await api()
        .get('/drivers/me')
        .set('Authorization', `Bearer ${driver.token}`)
        .expect(200);
      expect((me.body.driver ?? me.body).rating).toBe(4.5);
      const riderMe = await api()
        .get('/riders/me')
        .set('Authorization', `Bearer ${rider.token}`)
        .expect(200);
      expect((riderMe.body.rider ?? riderMe.body).rating).toBe(3);
      const adminView = await api()
        .get(`/admin/drivers/${driver.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(adminView.body.driver.rating).toBe(4.5);
    } finally {
      stop();
    }
  });
});
