import request from 'supertest';
import { io } from 'socket.io-client';
import { RunningServer } from '../../apps/api/src/server';
import { emitAck, nextEvent, north, randomCity, signUpRider } from '../support/clients';
import { startTestServer, TEST_ADMIN } from '../support/test-server';
import { AckBody, OfferBody, TripBody, World } from '../support/world';

jest.setTimeout(45_000);

const FAST = {
  OFFER_TIMEOUT_MS: '1500',
  MATCH_MAX_MS: '5000',
  MATCH_RETRY_MS: '300',
  SWEEP_INTERVAL_MS: '1000',
  // Under batched dispatch, the window scaled down with the offer timeout (2 s against 15 s in
  // production): with a 2 s window, an offer of 1.5 s would expire before the next window ran.
  MATCH_BATCH_WINDOW_MS: '200',
};

describe('trip lifecycle and dispatch (real PostgreSQL, Redis, BullMQ, socket.io)', () => {
  let server: RunningServer;
  let world: World;

  beforeAll(async () => {
    server = await startTestServer(FAST);
  });
  beforeEach(() => {
    world = new World(server.url);
  });
  afterEach(() => world.close());
  afterAll(() => server.close());

  it('runs the happy path: request, offer, accept, arrive, start with the code, complete', async () => {
    const city = randomCity();
    const driver = await world.driverAt(north(city, 800));
    const rider = await world.rider();

    const requested = await world.requestTrip(rider, city);
    expect(requested.status).toBe('REQUESTED');
    const offer = await world.offerFor(driver, requested.id);
    expect(new Date(offer.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(offer.pickupEtaSeconds).toBe(150); // 800 m x 1.3 at 25 km/h

    const assigned = world.updateOf(rider.socket, requested.id, 'DRIVER_ASSIGNED');
    const accepted = await world.step(driver.socket, 'trip:accept', { tripId: requested.id });
    expect(accepted.ok).toBe(true);
    expect(accepted.trip.status).toBe('DRIVER_ASSIGNED');
    expect(accepted.trip.pickupCode).toBeUndefined(); // the driver must ask the rider
    const { trip: riderView } = await assigned;
    expect(riderView.driverId).toBe(driver.id);
    expect(riderView.pickupCode).toMatch(/^\d{4}$/);

    // The rider watches the car come: each ping arrives with a fresh ETA.
    const seen = nextEvent<{ tripId: string; etaSeconds: number }>(rider.socket, 'driver:location');
    const moved = await emitAck(driver.socket, 'driver:location', {
      ...north(city, 400),
      ts: Date.now() - 20_000,
    });
    expect(moved).toEqual({ ok: true });
    expect(await seen).toMatchObject({ tripId: requested.id, etaSeconds: 75 });

    expect(
      (await world.step(driver.socket, 'trip:arrive', { tripId: requested.id })).trip.status,
    ).toBe('DRIVER_ARRIVED');
    const wrong = riderView.pickupCode === '0000' ? '1111' : '0000';
    const refused = await world.step(driver.socket, 'trip:start', {
      tripId: requested.id,
      pickupCode: wrong,
    });
    expect(refused.error?.code).toBe('INVALID_PICKUP_CODE');
    const started = await world.step(driver.socket, 'trip:start', {
      tripId: requested.id,
      pickupCode: riderView.pickupCode,
    });
    expect(started.trip.status).toBe('IN_PROGRESS');

    // 600 m every 10 s of phone time: 216 km/h, fast but plausible.
    for (const [meters, ageMs] of [
      [1_000, 10_000],
      [1_600, 0],
    ]) {
      const ack = await emitAck(driver.socket, 'driver:location', {
        ...north(city, meters),
        ts: Date.now() - ageMs,
      });
      expect(ack).toEqual({ ok: true });
    }

    const completedForRider = world.updateOf(rider.socket, requested.id, 'COMPLETED');
    const completed = await world.step(driver.socket, 'trip:complete', { tripId: requested.id });
    expect(completed.trip.status).toBe('COMPLETED');
    // Driven while IN_PROGRESS: from 400 m north to 1600 m north, summed from pings.
    expect(completed.trip.distanceMeters).toBeGreaterThanOrEqual(1_195);
    expect(completed.trip.distanceMeters).toBeLessThanOrEqual(1_205);
    expect(completed.trip.fare).toEqual({ amount: expect.any(Number), currency: 'USD' });
    await completedForRider;

    // The driver is available again and can be seen by riders.
    const cabs = await request(server.url)
      .get('/cabs/nearby')
      .query(north(city, 1_600))
      .set('Authorization', `Bearer ${rider.token}`);
    expect(cabs.body.cabs).toHaveLength(1);
  });

  it('moves on to the next driver after a deny', async () => {
    const city = randomCity();
    const near = await world.driverAt(north(city, 300));
    const far = await world.driverAt(north(city, 1_500));
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, city);

    await world.offerFor(near, trip.id);
    const second = world.offerFor(far, trip.id);
    expect((await world.step(near.socket, 'trip:deny', { tripId: trip.id })).ok).toBe(true);
    await second;
    const accepted = await world.step(far.socket, 'trip:accept', { tripId: trip.id });
    expect(accepted.trip).toMatchObject({ status: 'DRIVER_ASSIGNED', driverId: far.id });
    // The first driver's answer is final: accepting after denying is a conflict.
    const late = await world.step(near.socket, 'trip:accept', { tripId: trip.id });
    expect(late.error?.code).toBe('CONFLICT');

    // The dispatch log answers "why did this rider wait?".
    const admin = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' });
    const detail = await request(server.url)
      .get(`/admin/trips/${trip.id}`)
      .set('Authorization', `Bearer ${admin.body.accessToken}`)
      .expect(200);
    expect(detail.body.timeline.map((e: { to: string }) => e.to)).toEqual([
      'REQUESTED',
      'DRIVER_ASSIGNED',
    ]);
    expect(
      detail.body.dispatch.offers.map((o: { driverId: string; outcome: string }) => [
        o.driverId,
        o.outcome,
      ]),
    ).toEqual([
      [near.id, 'DENIED'],
      [far.id, 'ACCEPTED'],
    ]);
    const [firstRound, secondRound] = detail.body.dispatch.rounds;
    expect(firstRound.outcome).toBe('OFFERED');
    expect(firstRound.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          driverId: near.id,
          decision: 'OFFERED',
          score: expect.any(Number),
        }),
        expect.objectContaining({ driverId: far.id, decision: 'NOT_REACHED' }),
      ]),
    );
    expect(secondRound.candidates).toEqual([
      expect.objectContaining({ driverId: far.id, decision: 'OFFERED' }),
    ]);
  });

  it('does not count a driver holding another offer as a candidate', async () => {
    const city = randomCity();
    const busy = await world.driverAt(north(city, 100));
    const free = await world.driverAt(north(city, 900));
    const first = await world.requestTrip(await world.rider(), city);
    await world.offerFor(busy, first.id);
    const second = await world.requestTrip(await world.rider(), city);
    await world.offerFor(free, second.id);

    const admin = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' });
    const detail = await request(server.url)
      .get(`/admin/trips/${second.id}`)
      .set('Authorization', `Bearer ${admin.body.accessToken}`)
      .expect(200);
    const considered = detail.body.dispatch.rounds.flatMap(
      (r: { candidates: { driverId: string }[] }) => r.candidates.map((c) => c.driverId),
    );
    expect(considered).toEqual([free.id]);
  });

  it('moves on after an offer times out, and tells the silent driver', async () => {
    const city = randomCity();
    const silent = await world.driverAt(north(city, 200));
    const next = await world.driverAt(north(city, 900));
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, city);

    await world.offerFor(silent, trip.id);
    const revoked = nextEvent<{ tripId: string; reason: string }>(
      silent.socket,
      'trip:offer:revoked',
    );
    await world.offerFor(next, trip.id, 6_000);
    expect(await revoked).toEqual({ tripId: trip.id, reason: 'EXPIRED' });
    const late = await world.step(silent.socket, 'trip:accept', { tripId: trip.id });
    expect(late.error?.code).toBe('CONFLICT');
    expect((await world.step(next.socket, 'trip:accept', { tripId: trip.id })).ok).toBe(true);
  });

  it('ends NO_DRIVER_FOUND when nobody is in reach, and tells the rider', async () => {
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, randomCity(), { cabType: 'PREMIUM' });
    const { trip: ended } = await world.updateOf(rider.socket, trip.id, 'NO_DRIVER_FOUND', 12_000);
    expect(ended.status).toBe('NO_DRIVER_FOUND');
    // A new request is possible once the trip has ended.
    await world.requestTrip(rider, randomCity());
  });

  it.each(['REQUESTED', 'DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS'])(
    'lets the rider cancel in %s and frees the driver',
    async (state) => {
      const city = randomCity();
      const driver = await world.driverAt(north(city, 300));
      const rider = await world.rider();
      const trip = await world.requestTrip(rider, city);
      await world.offerFor(driver, trip.id);
      let code: string | undefined;
      if (state !== 'REQUESTED') {
        const assigned = world.updateOf(rider.socket, trip.id, 'DRIVER_ASSIGNED');
        await world.step(driver.socket, 'trip:accept', { tripId: trip.id });
        code = (await assigned).trip.pickupCode;
      }
      if (state === 'DRIVER_ARRIVED' || state === 'IN_PROGRESS') {
        await world.step(driver.socket, 'trip:arrive', { tripId: trip.id });
      }
      if (state === 'IN_PROGRESS') {
        await world.step(driver.socket, 'trip:start', { tripId: trip.id, pickupCode: code });
      }
      const revoked =
        state === 'REQUESTED'
          ? nextEvent<{ reason: string }>(driver.socket, 'trip:offer:revoked')
          : world.updateOf(driver.socket, trip.id, 'CANCELLED');
      const cancelled = await world.step(rider.socket, 'trip:cancel', {
        tripId: trip.id,
        reason: 'plans changed',
      });
      expect(cancelled.trip).toMatchObject({ status: 'CANCELLED', cancelReason: 'plans changed' });
      await revoked;
      // The driver is free: it can take the next trip.
      const other = await world.rider();
      const nextTrip = await world.requestTrip(other, city);
      await world.offerFor(driver, nextTrip.id);
      expect((await world.step(driver.socket, 'trip:accept', { tripId: nextTrip.id })).ok).toBe(
        true,
      );
    },
  );

  it('sends a trip back to matching when the driver cancels before the start', async () => {
    const city = randomCity();
    const first = await world.driverAt(north(city, 200));
    const second = await world.driverAt(north(city, 600));
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, city);
    await world.offerFor(first, trip.id);
    await world.step(first.socket, 'trip:accept', { tripId: trip.id });

    const backToRequested = world.updateOf(rider.socket, trip.id, 'REQUESTED');
    const secondOffer = world.offerFor(second, trip.id);
    const cancelled = await request(server.url)
      .post(`/trips/${trip.id}/cancel`)
      .set('Authorization', `Bearer ${first.token}`)
      .send({ reason: 'flat tyre' })
      .expect(200);
    expect(cancelled.body.trip.status).toBe('REQUESTED');
    await backToRequested;
    await secondOffer; // never the same driver again
    expect(
      (await world.step(second.socket, 'trip:accept', { tripId: trip.id })).trip.driverId,
    ).toBe(second.id);
  });

  it('refuses steps out of order with INVALID_STATE (409 over REST)', async () => {
    const city = randomCity();
    const driver = await world.driverAt(north(city, 200));
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, city);
    await world.offerFor(driver, trip.id);
    await world.step(driver.socket, 'trip:accept', { tripId: trip.id });

    const auth = `Bearer ${driver.token}`;
    const start = await request(server.url)
      .post(`/trips/${trip.id}/start`)
      .set('Authorization', auth)
      .send({ pickupCode: '1234' })
      .expect(409);
    expect(start.body.error).toBe('INVALID_STATE');
    await request(server.url)
      .post(`/trips/${trip.id}/complete`)
      .set('Authorization', auth)
      .expect(409);
    expect(
      (await world.step(driver.socket, 'trip:complete', { tripId: trip.id })).error?.code,
    ).toBe('INVALID_STATE');
  });

  it('keeps trips and offers to their owners: NOT_FOUND for anyone else', async () => {
    const city = randomCity();
    const offered = await world.driverAt(north(city, 200));
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, city);
    await world.offerFor(offered, trip.id);

    const stranger = await world.driverAt(randomCity());
    const stolen = await world.step(stranger.socket, 'trip:accept', { tripId: trip.id });
    expect(stolen.error?.code).toBe('NOT_FOUND');
    await request(server.url)
      .post(`/trips/${trip.id}/accept`)
      .set('Authorization', `Bearer ${stranger.token}`)
      .expect(404);
    const otherRider = await signUpRider(server.url);
    await request(server.url)
      .get(`/trips/${trip.id}`)
      .set('Authorization', `Bearer ${otherRider.token}`)
      .expect(404);
    await request(server.url)
      .get(`/trips/${trip.id}`)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
  });

  it('returns the same trip for the same idempotency key, and 409 for a second open trip', async () => {
    const rider = await world.rider();
    const city = randomCity();
    const a = await world.requestTrip(rider, city, { key: 'req-1' });
    const b = await world.requestTrip(rider, city, { key: 'req-1' });
    expect(b.id).toBe(a.id);
    const viaSocket = await emitAck<AckBody<{ trip: TripBody }>>(rider.socket, 'trip:request', {
      pickup: city,
      dropoff: north(city, 1000),
      cabType: 'ECONOMY',
      paymentMethod: 'CASH',
      idempotencyKey: 'req-1',
    });
    expect(viaSocket.trip.id).toBe(a.id);
    const second = await request(server.url)
      .post('/trips')
      .set('Authorization', `Bearer ${rider.token}`)
      .send({ pickup: city, dropoff: north(city, 1000), cabType: 'ECONOMY', paymentMethod: 'CARD' })
      .expect(409);
    expect(second.body.error).toBe('CONFLICT');
  });

  it('gives a reconnecting rider its open trip and a reconnecting driver its open offer', async () => {
    const city = randomCity();
    const driver = await world.driverAt(north(city, 200));
    const rider = await world.rider();
    const trip = await world.requestTrip(rider, city);
    await world.offerFor(driver, trip.id);

    // Listeners are in place before the handshake completes, so the first update is caught.
    const rs = io(`${server.url}/rider`, {
      auth: { token: rider.token },
      transports: ['websocket'],
      forceNew: true,
    });
    world.sockets.push(rs);
    const onRider = await nextEvent<{ trip: TripBody }>(rs, 'trip:update');
    expect(onRider.trip).toMatchObject({ id: trip.id, status: 'REQUESTED' });

    const ds = io(`${server.url}/driver`, {
      auth: { token: driver.token },
      transports: ['websocket'],
      forceNew: true,
    });
    world.sockets.push(ds);
    const onDriver = await nextEvent<OfferBody>(ds, 'trip:offer');
    expect(onDriver.tripId).toBe(trip.id);
  });

  it('validates trip requests: bad coordinates, unknown fields, wrong role', async () => {
    const rider = await world.rider();
    const bad = await request(server.url)
      .post('/trips')
      .set('Authorization', `Bearer ${rider.token}`)
      .send({
        pickup: { lat: 91, lng: 0 },
        dropoff: { lat: 0 },
        cabType: 'BUS',
        paymentMethod: 'CARD',
        status: 'COMPLETED',
      })
      .expect(400);
    const fields = bad.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['cabType', 'dropoff.lng', 'pickup.lat', 'status']);
    const driver = await world.driverAt(randomCity());
    await request(server.url)
      .post('/trips')
      .set('Authorization', `Bearer ${driver.token}`)
      .send({
        pickup: { lat: 1, lng: 1 },
        dropoff: { lat: 1, lng: 1.01 },
        cabType: 'XL',
        paymentMethod: 'CARD',
      })
      .expect(403);
    const socketAck = await emitAck<AckBody>(rider.socket, 'trip:request', { pickup: 'here' });
    expect(socketAck.error?.code).toBe('VALIDATION');
  });
});
