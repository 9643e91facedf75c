import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { CityDuties } from '../../apps/api/src/common/duties/city-duties';
import { RedisLease } from '../../apps/api/src/common/duties/lease';
import { TEST_REDIS_URL } from '../support/services';

/** Leases and city-wide duties on the real Redis: one holder at a time, handed over on release. */
describe('city-wide duties under a Redis lease', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(() => redis.quit());

  it('lets one process hold a lease, renews it for its holder only, hands it over on release', async () => {
    const prefix = `lease-test:${randomUUID()}:`;
    const a = new RedisLease(redis, 'process-a', prefix);
    const b = new RedisLease(redis, 'process-b', prefix);
    expect(await a.acquire('sweeper', 10_000)).toBe(true);
    expect(await b.acquire('sweeper', 10_000)).toBe(false);
    expect(await a.acquire('sweeper', 20_000)).toBe(true); // renewed
    expect(await redis.pttl(`${prefix}sweeper`)).toBeGreaterThan(10_000);
    await b.release('sweeper'); // not b's: nothing happens
    expect(await b.acquire('sweeper', 10_000)).toBe(false);
    await a.release('sweeper');
    expect(await b.acquire('sweeper', 10_000)).toBe(true);
    await b.release('sweeper');
  });

  it('runs a duty once per tick across two processes, and on the other when its holder stops', async () => {
    const prefix = `lease-test:${randomUUID()}:`;
    const runs: string[] = [];
    const duty = (who: string) => ({
      name: 'sweeper',
      everyMs: 60_000,
      run: async () => void runs.push(who),
    });
    const a = new CityDuties(new RedisLease(redis, 'a', prefix), 'a');
    const b = new CityDuties(new RedisLease(redis, 'b', prefix), 'b');
    for (let i = 0; i < 3; i += 1) {
      await Promise.all([a.tick(duty('a')), b.tick(duty('b'))]);
    }
    expect(runs).toHaveLength(3);
    expect(new Set(runs).size).toBe(1);
    const holder = runs[0];
    // The holder shuts down (releasing its lease): the other takes the duty on its next tick.
    await (holder === 'a' ? a : b).beforeApplicationShutdown();
    await Promise.all([a.tick(duty('a')), b.tick(duty('b'))]);
    expect(runs[3]).toBe(holder === 'a' ? 'b' : 'a');
    await (holder === 'a' ? b : a).beforeApplicationShutdown();
  });
});
