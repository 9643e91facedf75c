import { HandshakeLimiter } from './socket-guards';

describe('HandshakeLimiter', () => {
  it('admits a burst per IP, then its rate, and keeps IPs apart', () => {
    let nowMs = 0;
    const limiter = new HandshakeLimiter(3, 2, () => nowMs);
    expect([1, 2, 3, 4].map(() => limiter.allow('10.0.0.1'))).toEqual([true, true, true, false]);
    expect(limiter.allow('10.0.0.2')).toBe(true);
    nowMs = 500; // half a second at 2/s: one more
    expect(limiter.allow('10.0.0.1')).toBe(true);
    expect(limiter.allow('10.0.0.1')).toBe(false);
    nowMs = 60_000; // refilled, never above the burst
    expect([1, 2, 3, 4].map(() => limiter.allow('10.0.0.1'))).toEqual([true, true, true, false]);
  });
});
