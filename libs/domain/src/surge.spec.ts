import * as ngeohash from 'ngeohash';
import {
  computeSurge,
  DEFAULT_SURGE_PARAMS,
  SurgeCellState,
  surgeCellOf,
  surgeTarget,
  SurgeInput,
} from './surge';

const HERE = { lat: 51.5072, lng: -0.1276 };
const CELL = surgeCellOf(HERE.lat, HERE.lng);
const centre = (cell: string) => {
  const c = ngeohash.decode(cell);
  return { lat: c.latitude, lng: c.longitude };
};
const riders = (n: number, at = centre(CELL)) =>
  Array.from({ length: n }, (_, i) => ({ riderId: `r${i}`, ...at }));
const drivers = (n: number, at = centre(CELL)) =>
  Array.from({ length: n }, (_, i) => ({ id: `d${i}`, ...at }));
const byCell = (cells: SurgeCellState[]) => new Map(cells.map((c) => [c.geohash, c]));

function periods(inputs: Omit<SurgeInput, 'previous'>[]): SurgeCellState[][] {
  let previous = new Map<string, SurgeCellState>();
  return inputs.map((input) => {
    const out = computeSurge({ ...input, previous });
    previous = byCell(out);
    return out;
  });
}

describe('surgeTarget: 1.0 floor, steps of 0.1, a cap', () => {
  it.each([
    [0, 1],
    [1, 1],
    [1.39, 1],
    [1.4, 1.1],
    [2, 1.2],
    [5, 2],
    [9, 3],
    [500, 3],
  ])('pressure %p -> %p', (pressure, multiplier) => {
    expect(surgeTarget(pressure)).toBe(multiplier);
  });
});

describe('computeSurge', () => {
  it('uses precision 6 cells', () => {
    expect(CELL).toHaveLength(6);
  });

  it('counts distinct riders as demand: one rider quoting many times is one', () => {
    const [cells] = periods([{ demand: riders(1).concat(riders(1)), drivers: [] }]);
    expect(byCell(cells).get(CELL)?.demand).toBe(1);
  });

  it.each([
    // [why, riders, drivers in the cell, expected multiplier after one period]
    ['no demand, no surge', 0, 0, undefined],
    ['demand met by supply', 6, 6, 1],
    ['many requests and no drivers rise at once', 10, 0, 1.6],
    ['a crowd hits the cap', 400, 0, 3],
  ])('%s', (_why, r, d, expected) => {
    const [cells] = periods([{ demand: riders(r), drivers: drivers(d) }]);
    expect(byCell(cells).get(CELL)?.multiplier).toBe(expected);
  });

  it('rises further while demand persists (EWMA) and never above the cap', () => {
    const steady = { demand: riders(10), drivers: [] };
    const history = periods([steady, steady, steady, steady]).map(
      (cells) => byCell(cells).get(CELL)?.multiplier,
    );
    expect(history).toEqual([1.6, 2, 2.2, 2.3]);
    const crowd = { demand: riders(1000), drivers: [] };
    expect(periods([crowd, crowd]).map((c) => byCell(c).get(CELL)?.multiplier)).toEqual([3, 3]);
  });

  it('falls only after two periods below (hysteresis), then back to nothing', () => {
    const busy = { demand: riders(40), drivers: [] };
    const quiet = { demand: [], drivers: [] };
    const history = periods([busy, busy, quiet, quiet, quiet, quiet, quiet, quiet, quiet]).map(
      (cells) => byCell(cells).get(CELL)?.multiplier,
    );
    expect(history.slice(0, 4)).toEqual([3, 3, 3, 3]); // two quiet periods held at 3
    expect(history[4]).toBeLessThan(3);
    // Each fall waits two periods below; the cell is dropped when nothing is left.
    for (let i = 1; i < history.length; i++) {
      expect(history[i] ?? 1).toBeLessThanOrEqual(history[i - 1] ?? 1);
    }
    expect(history[history.length - 1] ?? 1).toBe(1);
  });

  it('rises at once even right after a fall started', () => {
    const previous = new Map<string, SurgeCellState>([
      [
        CELL,
        { geohash: CELL, demand: 0, supply: 0, pressure: 3, multiplier: 1.5, periodsBelow: 1 },
      ],
    ]);
    const out = byCell(computeSurge({ demand: riders(50), drivers: [], previous }));
    expect(out.get(CELL)).toMatchObject({ multiplier: 3, periodsBelow: 0 });
  });

  it('smooths over neighbouring cells: a neighbour of a hot cell gets pressure, the hot cell less', () => {
    const [cells] = periods([{ demand: riders(20), drivers: [] }]);
    const map = byCell(cells);
    const neighbour = map.get(ngeohash.neighbors(CELL)[0]);
    expect(neighbour?.demand).toBe(0);
    expect(neighbour?.pressure).toBeGreaterThan(0);
    // raw 20 -> spatial 0.7 x 20 -> EWMA 0.5 x 14 = 7
    expect(map.get(CELL)?.pressure).toBe(7);
    const isolated = computeSurge(
      { demand: riders(20), drivers: [], previous: new Map() },
      { ...DEFAULT_SURGE_PARAMS, neighbourWeight: 0 },
    );
    expect(byCell(isolated).get(CELL)?.pressure).toBe(10);
  });

  it('shares each driver among nearby cells by distance (effective supply)', () => {
    const [cells] = periods([{ demand: riders(3), drivers: drivers(4) }]);
    const total = cells.reduce((sum, c) => sum + c.supply, 0);
    expect(total).toBeCloseTo(4, 1);
    const mine = byCell(cells).get(CELL)?.supply ?? 0;
    expect(mine).toBeGreaterThan(1);
    expect(mine).toBeLessThan(4);
    expect(Math.max(...cells.map((c) => c.supply))).toBe(mine);
  });

  it('ignores drivers beyond the supply radius', () => {
    const far = { lat: HERE.lat + 0.5, lng: HERE.lng };
    const [cells] = periods([{ demand: riders(10), drivers: drivers(50, far) }]);
    expect(byCell(cells).get(CELL)).toMatchObject({ supply: 0, multiplier: 1.6 });
  });
});
