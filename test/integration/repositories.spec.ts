import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../../apps/api/src/database/typeorm-options';
import { DriverLocationsRepository } from '../../apps/api/src/modules/locations/driver-locations.repository';
import { OffersRepository } from '../../apps/api/src/modules/matching/offers.repository';
import { TripsRepository } from '../../apps/api/src/modules/trips/trips.repository';
import { TEST_DATABASE_URL } from '../support/services';

jest.setTimeout(30_000);

/** Small factories: rows straight into the real database. */
async function insertRider(db: DataSource): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO riders (name, email, password_hash) VALUES ('R', $1, 'x') RETURNING id`,
    [`${randomUUID()}@r.test`],
  );
  return id;
}
async function insertDriver(db: DataSource): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO drivers (name, email, password_hash) VALUES ('D', $1, 'x') RETURNING id`,
    [`${randomUUID()}@d.test`],
  );
  await db.query(`INSERT INTO vehicles (driver_id, plate, cab_type) VALUES ($1, $2, 'ECONOMY')`, [
    id,
    randomUUID().slice(0, 8).toUpperCase(),
  ]);
  return id;
}

describe('repositories on real PostgreSQL + PostGIS', () => {
  let db: DataSource;
  let trips: TripsRepository;
  let locations: DriverLocationsRepository;
  let offers: OffersRepository;

  beforeAll(async () => {
    db = await new DataSource(typeormOptions(TEST_DATABASE_URL, 4)).initialize();
    trips = new TripsRepository(db);
    locations = new DriverLocationsRepository(db);
    offers = new OffersRepository(db);
  });
  afterAll(() => db.destroy());

  const newTrip = (riderId: string) =>
    trips.create({
      riderId,
      cabType: 'ECONOMY',
      pickup: { lat: 51.5007, lng: -0.1246 },
      dropoff: { lat: 48.8584, lng: 2.2945 },
      paymentMethod: 'CARD',
      quoteFareMinor: 1234,
      surgeMultiplier: 1,
      currency: 'USD',
    });

  it('stores (lat, lng) as PostGIS (lng, lat) and reads them back in our order', async () => {
    const created = await newTrip(await insertRider(db));
    if (created.kind !== 'created') throw new Error('not created');
    expect(created.trip.pickup).toEqual({ lat: 51.5007, lng: -0.1246 });
    const [{ x, y, metres }] = await db.query(
      `SELECT ST_X(pickup::geometry) AS x, ST_Y(pickup::geometry) AS y,
              ST_Distance(pickup, dropoff) AS metres FROM trips WHERE id = $1`,
      [created.trip.id],
    );
    expect([x, y]).toEqual([-0.1246, 51.5007]);
    expect(metres / 1000).toBeCloseTo(341, 0); // Big Ben to the Eiffel Tower
  });

  it('refuses a second open trip for a rider, by index', async () => {
    const riderId = await insertRider(db);
    expect((await newTrip(riderId)).kind).toBe('created');
    expect((await newTrip(riderId)).kind).toBe('rider_has_open_trip');
  });

  it('refuses, at the database, a driver on two open trips even from a raw insert', async () => {
    const driverId = await insertDriver(db);
    const assign = async () => {
      const riderId = await insertRider(db);
      await db.query(
        `INSERT INTO trips (rider_id, driver_id, cab_type, status, pickup, dropoff, payment_method,
                            quote_fare_minor, currency)
         VALUES ($1, $2, 'ECONOMY', 'DRIVER_ASSIGNED', 'POINT(0 0)', 'POINT(0 1)', 'CASH', 100, 'USD')`,
        [riderId, driverId],
      );
    };
    await assign();
    await expect(assign()).rejects.toThrow(/trips_one_open_per_driver/);
  });

  it('refuses a second pending offer for a driver, and a repeated offer, by index', async () => {
    const driverId = await insertDriver(db);
    const tripA = await newTrip(await insertRider(db));
    const tripB = await newTrip(await insertRider(db));
    if (tripA.kind !== 'created' || tripB.kind !== 'created') throw new Error('not created');
    const offer = (tripId: string) =>
      db.query(
        `INSERT INTO trip_offers (trip_id, driver_id, round, score, pickup_eta_seconds, expires_at)
         VALUES ($1, $2, 1, 0, 60, now() + interval '15 seconds')`,
        [tripId, driverId],
      );
    await offer(tripA.trip.id);
    await expect(offer(tripB.trip.id)).rejects.toThrow(/trip_offers_one_pending_per_driver/);
    await db.query(`UPDATE trip_offers SET status = 'DENIED' WHERE trip_id = $1`, [tripA.trip.id]);
    await expect(offer(tripA.trip.id)).rejects.toThrow(/trip_offers_once_per_driver/);
  });

  it('lets exactly one of two concurrent accepts of a trip win', async () => {
    const created = await newTrip(await insertRider(db));
    if (created.kind !== 'created') throw new Error('not created');
    const [d1, d2] = [await insertDriver(db), await insertDriver(db)];
    const accept = (driverId: string) =>
      trips.transition({
        tripId: created.trip.id,
        action: 'ACCEPT',
        actor: { role: 'driver', id: driverId },
        patch: { driverId, pickupCode: '1234', assignedAt: new Date() },
      });
    const results = await Promise.all([accept(d1), accept(d2)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['invalid', 'ok']);
    const events = await trips.timeline(created.trip.id);
    expect(events.map((e) => e.to)).toEqual(['REQUESTED', 'DRIVER_ASSIGNED']);
  });

  it('never lands an offer for a driver between the claim of its other offer and the commit', async () => {
    const violations: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      const driverId = await insertDriver(db);
      const a = await newTrip(await insertRider(db));
      const b = await newTrip(await insertRider(db));
      if (a.kind !== 'created' || b.kind !== 'created') throw new Error('not created');
      const offerInput = (tripId: string) => ({
        tripId,
        driverId,
        round: 1,
        score: 0,
        pickupEtaSeconds: 60,
        expiresAt: new Date(Date.now() + 15_000),
      });
      const offerA = await offers.create(offerInput(a.trip.id));
      if (!offerA) throw new Error('offer A refused');
      // The claim of A (as MatchingService.accept does it) races an offer of B to the same driver.
      const claim = trips.transition({
        tripId: a.trip.id,
        action: 'ACCEPT',
        actor: { role: 'driver', id: driverId },
        patch: { driverId, pickupCode: '1234', assignedAt: new Date() },
        alsoInTransaction: async (tx) => {
          await offers.lockDriver(tx, driverId);
          await offers.resolve(offerA.id, 'ACCEPTED', null, tx);
          await new Promise((resolve) => setTimeout(resolve, 5)); // widen the window
        },
      });
      const [claimed, offerB] = await Promise.all([
        claim,
        new Promise((resolve) => setTimeout(resolve, 2)).then(() =>
          offers.create(offerInput(b.trip.id)),
        ),
      ]);
      if (claimed.kind === 'ok' && offerB) violations.push(driverId);
    }
    expect(violations).toEqual([]);
  });

  it('refuses a step out of order without writing anything', async () => {
    const created = await newTrip(await insertRider(db));
    if (created.kind !== 'created') throw new Error('not created');
    const result = await trips.transition({
      tripId: created.trip.id,
      action: 'START',
      actor: { role: 'driver', id: null },
    });
    expect(result).toEqual({ kind: 'invalid', status: 'REQUESTED' });
    expect((await trips.timeline(created.trip.id)).length).toBe(1);
  });

  it('writes live locations in one batch and reads back the online ones', async () => {
    const [online, offline] = [await insertDriver(db), await insertDriver(db)];
    await locations.upsertMany([
      {
        driverId: online,
        status: 'AVAILABLE',
        cabType: 'XL',
        lat: 40.7128,
        lng: -74.006,
        heading: NaN,
        lastPingAtMs: 1_795_000_000_123,
      },
      {
        driverId: offline,
        status: 'OFFLINE',
        cabType: 'ECONOMY',
        lat: 1,
        lng: 2,
        heading: 90,
        lastPingAtMs: 1_795_000_000_000,
      },
    ]);
    const found = (await locations.findOnline()).filter((s) =>
      [online, offline].includes(s.driverId),
    );
    expect(found).toEqual([
      {
        driverId: online,
        status: 'AVAILABLE',
        cabType: 'XL',
        lat: 40.7128,
        lng: -74.006,
        heading: NaN,
        lastPingAtMs: 1_795_000_000_123,
      },
    ]);
    // A later batch without a position keeps the last known one.
    await locations.upsertMany([
      {
        driverId: online,
        status: 'ON_TRIP',
        cabType: 'XL',
        lat: NaN,
        lng: NaN,
        heading: NaN,
        lastPingAtMs: NaN,
      },
    ]);
    const [again] = (await locations.findOnline()).filter((s) => s.driverId === online);
    expect(again).toMatchObject({ status: 'ON_TRIP', lat: 40.7128, lng: -74.006 });
  });
});
