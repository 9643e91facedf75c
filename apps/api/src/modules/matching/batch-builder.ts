import munkres from 'munkres';

/** A driver a waiting trip could be offered, as the index found it. */
export interface BatchCandidate {
  driverId: string;
  distanceMeters: number;
  pickupEtaSeconds: number;
}

/** One trip waiting for an offer in this window, with the free drivers found near it. */
export interface BatchRequest {
  tripId: string;
  candidates: readonly BatchCandidate[];
}

/** A pair the window proposes: offer `tripId` to `driverId`. */
export interface BatchPair {
  tripId: string;
  driverId: string;
  pickupEtaSeconds: number;
}

/**
 * One independent piece of a window: trips and the drivers reachable from them, none of which
 * is reachable from another piece. `costs[t][d]` is the pickup ETA in seconds of driver `d`
 * for trip `t`, or `prunedCost` where the pair is out of reach.
 */
export interface BatchComponent {
  tripIds: string[];
  driverIds: string[];
  costs: number[][];
  prunedCost: number;
}

export interface BatchOptions {
  /** Pairs farther apart than this are pruned (the widest search radius). */
  maxRadiusMeters: number;
}

/**
 * Splits a window into components and builds each one's cost matrix. A candidate beyond
 * `maxRadiusMeters` is pruned (no edge); trips and drivers joined by an edge, directly or
 * through others, share a component. Solving components apart gives the same optimum as one
 * big matrix, and costs far less: the solver is cubic in the size of what it is given.
 */
export function buildBatch(
  requests: readonly BatchRequest[],
  options: BatchOptions,
): BatchComponent[] {
  const tripIndex = new Map<string, number>();
  const driverIndex = new Map<string, number>();
  const edges: { trip: number; driver: number; cost: number }[] = [];
  for (const request of requests) {
    if (tripIndex.has(request.tripId)) continue;
    const trip = tripIndex.size;
    tripIndex.set(request.tripId, trip);
    for (const c of request.candidates) {
      if (!(c.distanceMeters <= options.maxRadiusMeters)) continue;
      let driver = driverIndex.get(c.driverId);
      if (driver === undefined) driverIndex.set(c.driverId, (driver = driverIndex.size));
      edges.push({ trip, driver, cost: c.pickupEtaSeconds });
    }
  }

  // Union-find over trips [0, T) and drivers [T, T + D).
  const tripCount = tripIndex.size;
  const parent = Array.from({ length: tripCount + driverIndex.size }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const e of edges) parent[root(e.trip)] = root(tripCount + e.driver);

  const tripIds = [...tripIndex.keys()];
  const driverIds = [...driverIndex.keys()];
  const byRoot = new Map<number, { trips: number[]; drivers: number[] }>();
  const groupOf = (i: number) => {
    const r = root(i);
    let group = byRoot.get(r);
    if (!group) byRoot.set(r, (group = { trips: [], drivers: [] }));
    return group;
  };
  for (let t = 0; t < tripCount; t += 1) groupOf(t).trips.push(t);
  for (let d = 0; d < driverIds.length; d += 1) groupOf(tripCount + d).drivers.push(d);

  const components: BatchComponent[] = [];
  for (const group of byRoot.values()) {
    if (group.trips.length === 0 || group.drivers.length === 0) continue;
    const row = new Map(group.trips.map((t, i) => [t, i]));
    const column = new Map(group.drivers.map((d, i) => [d, i]));
    const mine = edges.filter((e) => row.has(e.trip));
    // Above any sum of real costs: the solver first matches as many trips as it can.
    const prunedCost = mine.reduce((sum, e) => sum + e.cost, 0) + 1;
    const costs = group.trips.map(() => new Array<number>(group.drivers.length).fill(prunedCost));
    for (const e of mine) {
      const r = row.get(e.trip) as number;
      const c = column.get(e.driver) as number;
      costs[r][c] = Math.min(costs[r][c], e.cost);
    }
    components.push({
      tripIds: group.trips.map((t) => tripIds[t]),
      driverIds: group.drivers.map((d) => driverIds[d]),
      costs,
      prunedCost,
    });
  }
  return components;
}

/** The optimal assignment of one component: most trips matched, then the least total ETA. */
export function solveComponent(component: BatchComponent): BatchPair[] {
  const pairs: BatchPair[] = [];
  for (const [r, c] of munkres(component.costs)) {
    const cost = component.costs[r][c];
    if (cost >= component.prunedCost) continue;
    pairs.push({
      tripId: component.tripIds[r],
      driverId: component.driverIds[c],
      pickupEtaSeconds: cost,
    });
  }
  return pairs;
}

/** A window's proposals: every component solved, pairs in the order of the trips given. */
export function solveBatch(requests: readonly BatchRequest[], options: BatchOptions): BatchPair[] {
  const pairs = buildBatch(requests, options).flatMap(solveComponent);
  const order = new Map(requests.map((r, i) => [r.tripId, i]));
  return pairs.sort((a, b) => (order.get(a.tripId) as number) - (order.get(b.tripId) as number));
}
