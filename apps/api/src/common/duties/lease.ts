import type Redis from 'ioredis';

/**
 * A named lease that at most one process holds at a time, so a city-wide duty runs once. On
 * Redis: `SET key owner NX PX ttl`, renewed by its owner only (compare-and-extend in one Lua
 * call); a holder that dies loses it when the ttl runs out, and another process takes over.
 * Without Redis there is one process (the embedded default): it always holds every lease.
 */
export interface Lease {
  /** Takes or renews the lease for `ttlMs`; true when this process holds it now. */
  acquire(name: string, ttlMs: number): Promise<boolean>;
  /** Gives it up at once (on shutdown), if held. */
  release(name: string): Promise<void>;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisLease implements Lease {
  constructor(
    private readonly redis: Redis,
    /** Unique per process: host, pid and a random part. */
    private readonly owner: string,
    private readonly prefix = 'lease:',
  ) {}

  async acquire(name: string, ttlMs: number): Promise<boolean> {
    const key = this.prefix + name;
    const renewed = Number(await this.redis.eval(RENEW, 1, key, this.owner, ttlMs));
    if (renewed === 1) return true;
    return (await this.redis.set(key, this.owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async release(name: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + name, this.owner);
  }
}

/** The single process of the embedded default holds every lease. */
export const soleProcessLease: Lease = {
  acquire: async () => true,
  release: async () => undefined,
};
