import { rankCandidates } from './match-scoring';

const c = (driverId: string, pickupEtaSeconds: number, rating = 5, acceptanceRate = 1) => ({
  driverId,
  pickupEtaSeconds,
  rating,
  acceptanceRate,
});
const order = (...cs: ReturnType<typeof c>[]) => rankCandidates(cs).map((x) => x.driverId);

describe('rankCandidates', () => {
  it('puts the nearer driver first when the ETA bands differ', () => {
    expect(order(c('far', 400, 5), c('near', 100, 3))).toEqual(['near', 'far']);
  });

  it('prefers the better rating within one 30 s band', () => {
    expect(order(c('closer', 60, 4.2), c('better', 85, 4.9))).toEqual(['better', 'closer']);
  });

  it('prefers the higher acceptance rate at the same rating and band', () => {
    expect(order(c('picky', 60, 4.8, 0.4), c('reliable', 70, 4.8, 0.95))).toEqual([
      'reliable',
      'picky',
    ]);
  });

  it('breaks exact ties by ETA, then by id', () => {
    expect(order(c('b', 61), c('a', 61), c('c', 60))).toEqual(['c', 'a', 'b']);
  });

  it('lets no rating or acceptance make up for a whole band of ETA', () => {
    expect(order(c('worst-nearer', 29, 1, 0), c('best-farther', 30, 5, 1))).toEqual([
      'worst-nearer',
      'best-farther',
    ]);
  });
});
