import type { TripOfferView } from '@app/contracts';
import { OfferDesk, OfferHost } from './driver-offers';
import { parseOptions } from './options';
import { Prng } from '@app/domain';
import { World } from './world';

const offer = (tripId: string): TripOfferView => ({
  tripId,
  pickup: { lat: 51.5, lng: -0.12 },
  dropoff: { lat: 51.52, lng: -0.1 },
  cabType: 'ECONOMY',
  estimatedFare: { amount: 1000, currency: 'GBP' },
  pickupEtaSeconds: 120,
  expiresAt: new Date(Date.now() + 15_000).toISOString(),
});

function setUp(busy: { trip: string | null }) {
  const world = new World(parseOptions([], {}), () => undefined);
  const answers: [string, string][] = [];
  const host: OfferHost = {
    driverId: 'driver-1',
    busyWith: () => busy.trip,
    answer: async (tripId, decision) => {
      answers.push([tripId, decision]);
    },
  };
  return { world, answers, desk: new OfferDesk(host, new Prng(5), world) };
}

describe('OfferDesk invariants', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('flags an offer to a driver who is still on a trip after the grace period', () => {
    const { world, answers, desk } = setUp({ trip: 'trip-1' });
    desk.received(offer('trip-2'));
    expect(world.stats.violations).toHaveLength(0);
    jest.advanceTimersByTime(2_000);
    expect(world.stats.violations[0]).toMatch(/offered trip trip-2 while on trip-1/);
    expect(answers).toEqual([['trip-2', 'deny']]);
  });

  it('accepts that the event freeing the driver arrives just after the offer', () => {
    const busy = { trip: 'trip-1' as string | null };
    const { world, desk } = setUp(busy);
    desk.received(offer('trip-2'));
    busy.trip = null; // the trip:update COMPLETED arrives
    jest.advanceTimersByTime(2_000);
    expect(world.stats.violations).toHaveLength(0);
    expect(desk.openTripId).toBe('trip-2');
  });

  it('flags a second offer while one is still open, not one after a revoke', () => {
    // Seed 5: the first decision is accept after 3.3 s of thought.
    const { world, answers, desk } = setUp({ trip: null });
    desk.received(offer('trip-a'));
    desk.revoked('trip-a', 'EXPIRED');
    desk.received(offer('trip-b'));
    jest.advanceTimersByTime(100);
    desk.received(offer('trip-c'));
    jest.advanceTimersByTime(1_500);
    expect(world.stats.offers.get('expired')).toBe(1);
    expect(world.stats.violations).toEqual([
      'driver driver-1 was offered trip trip-c while offer trip-b was open',
    ]);
    jest.advanceTimersByTime(2_000);
    expect(answers).toEqual([
      ['trip-c', 'deny'],
      ['trip-b', 'accept'],
    ]);
  });
});
