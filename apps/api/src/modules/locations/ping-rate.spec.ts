import { PingRate } from './ping-rate';

describe('PingRate', () => {
  it('averages whole seconds over the last ten, ignoring the one still filling', () => {
    const rate = new PingRate();
    const t0 = 1_000_000;
    for (let s = 0; s < 10; s += 1) {
      for (let i = 0; i < 100; i += 1) rate.record(t0 + s * 1000 + i);
    }
    rate.record(t0 + 10_000); // the current second
    expect(rate.perSecond(t0 + 10_500)).toBe(100);
  });

  it('forgets seconds older than the window', () => {
    const rate = new PingRate();
    for (let i = 0; i < 50; i += 1) rate.record(5_000);
    expect(rate.perSecond(6_000)).toBe(5);
    expect(rate.perSecond(60_000)).toBe(0);
  });
});
