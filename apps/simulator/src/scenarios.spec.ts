import { Prng } from '@app/domain';
import { haversineMeters } from './geo';
import { eventPickup, exponentialS, nextRequestGapS, SCENARIO_NAMES, SCENARIOS } from './scenarios';

/** Requests of one rider over a run, following the gaps as the rider bot does. */
function arrivals(name: keyof typeof SCENARIOS, durationS: number, seed: number): number[] {
  const rng = new Prng(seed);
  const times: number[] = [];
  let t = 0;
  for (;;) {
    const gap = nextRequestGapS(SCENARIOS[name], t, durationS, rng);
    if (gap === null) return times;
    t += gap;
    times.push(t);
  }
}

describe('scenarios', () => {
  it('has the four named presets', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  it('draws Poisson arrivals at the scenario rate, the same for the same seed', () => {
    const hour = 3_600;
    let total = 0;
    for (let seed = 0; seed < 100; seed += 1) total += arrivals('scarce', hour, seed).length;
    // 8 requests per rider-hour: 100 rider-hours make about 800 (Poisson: +-3 sd is about 85).
    expect(total).toBeGreaterThan(715);
    expect(total).toBeLessThan(885);
    expect(arrivals('rush-hour', hour, 3)).toEqual(arrivals('rush-hour', hour, 3));
  });

  it('concentrates rush-hour demand in the middle of the run', () => {
    const hour = 3_600;
    let middle = 0;
    let edges = 0;
    for (let seed = 0; seed < 100; seed += 1) {
      for (const t of arrivals('rush-hour', hour, seed)) {
        if (t >= 0.2 * hour && t < 0.75 * hour) middle += 1;
        else edges += 1;
      }
    }
    // Rates 5.6 over 55 % of the run and 2 over 45 %: about 3.4 times as many in the middle.
    expect(middle / edges).toBeGreaterThan(2.8);
    expect(middle / edges).toBeLessThan(4.2);
  });

  it('sends the event burst to the stadium cell', () => {
    const event = SCENARIOS.event;
    expect(event.eventShare(0.35 * 3_600, 3_600)).toBeGreaterThan(0.5);
    expect(event.eventShare(0.8 * 3_600, 3_600)).toBe(0);
    const center = { lat: 51.5, lng: -0.12 };
    const rng = new Prng(1);
    const a = eventPickup(center, rng);
    const b = eventPickup(center, rng);
    expect(haversineMeters(a, b)).toBeLessThan(300);
    expect(haversineMeters(center, a)).toBeGreaterThan(1_800);
  });

  it('draws exponential break lengths with the given mean', () => {
    const rng = new Prng(9);
    let sum = 0;
    for (let i = 0; i < 5_000; i += 1) sum += exponentialS(300, rng);
    expect(sum / 5_000).toBeGreaterThan(280);
    expect(sum / 5_000).toBeLessThan(320);
  });
});
