import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { ASSIGNED_STATES, OPEN_STATES } from '@app/domain';
import { DataSource } from 'typeorm';
import { TransactionsModule } from '../../apps/api/src/common/transactions/transactions.module';
import { UnitOfWork } from '../../apps/api/src/common/transactions/unit-of-work';
import { typeormOptions } from '../../apps/api/src/database/typeorm-options';
import { AdminTripsRepository } from '../../apps/api/src/modules/admin/admin-trips.repository';
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
  let tripsRead: AdminTripsRepository;
  let unitOfWork: UnitOfWork;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    // The repositories as the app wires them: TypeORM, and the ambient transaction they join.
    moduleRef = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(typeormOptions(TEST_DATABASE_URL, 4)), TransactionsModule],
      providers: [
        TripsRepository,
        DriverLocationsRepository,
        OffersRepository,
        AdminTripsRepository,
      ],
    }).compile();
    await moduleRef.init();
    db = moduleRef.get(DataSource);
    trips = moduleRef.get(TripsRepository);
    locations = moduleRef.get(DriverLocationsRepository);
    offers = moduleRef.get(OffersRepository);
    tripsRead = moduleRef.get(AdminTripsRepository);
    unitOfWork = moduleRef.get(UnitOfWork);
  });
  afterAll(() => moduleRef.close());

  /** How dispatch creates an offer (DispatchService): the driver's lock, then free, then insert. */
  const createOffer = (input: Parameters<OffersRepository['insert']>[0]) =>
    unitOfWork.run(async () => {
      await offers.lockDriver(input.driverId);
      if (await trips.driverIsAssigned(input.driverId)) return null;
      return offers.insert(input);
    });

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

  it('keeps the one-open-trip indexes in step with the one list of each rule', async () => {
    const predicate = async (index: string) => {
      const [{ def }]: { def: string }[] = await db.query(
        `SELECT indexdef AS def FROM pg_indexes WHERE indexname = $1`,
        [index],
      );
      return [...def.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).sort();
    };
    expect(await predicate('trips_one_open_per_rider')).toEqual([...OPEN_STATES].sort());
    expect(await predicate('trips_one_open_per_driver')).toEqual([...ASSIGNED_STATES].sort());
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
    const events = await tripsRead.timeline(created.trip.id);
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
      const offerA = await createOffer(offerInput(a.trip.id));
      if (!offerA) throw new Error('offer A refused');
      // The claim of A (as OfferAnswersService.accept does it) races an offer of B to the driver.
      const claim = unitOfWork.run(async () => {
        await offers.lockDriver(driverId);
        await offers.resolve(offerA.id, 'ACCEPTED', null);
        await new Promise((resolve) => setTimeout(resolve, 5)); // widen the window
        return trips.transition({
          tripId: a.trip.id,
          action: 'ACCEPT',
          actor: { role: 'driver', id: driverId },
          patch: { driverId, pickupCode: '1234', assignedAt: new Date() },
        });
      });
      const [claimed, offerB] = await Promise.all([
        claim,
        new Promise((resolve) => setTimeout(resolve, 2)).then(() =>
          createOffer(offerInput(b.trip.id)),
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
    expect((await tripsRead.timeline(created.trip.id)).length).toBe(1);
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
