import { geohashBounds } from './cells';
import { ShardedQuadtree } from './sharded-quadtree';

describe('ShardedQuadtree', () => {
  describe('rejects invalid input with a RangeError naming the argument', () => {
    const index = new ShardedQuadtree();

    it.each([
      [
        () => index.upsert('d1', 123, 10),
        /lat 123 is outside \[-90, 90\]; were lat and lng swapped\?/,
      ],
      [() => index.upsert('d1', Number.NaN, 10), /lat must be a number .* got NaN/],
      [() => index.upsert('d1', 10, 181), /lng 181 is outside \[-180, 180\]/],
      [() => index.upsert('d1', 10, Number.NaN), /lng must be a number .* got NaN/],
      [() => index.upsert('d1', 10, Infinity), /lng Infinity is outside/],
      [() => index.upsert('', 10, 10), /id must be a non-empty string, got ""/],
      [
        () => index.nearest(10, 10, { k: 0, radiusMeters: 10 }),
        /k must be a positive integer .* got 0/,
      ],
      [
        () => index.nearest(10, 10, { k: 1.5, radiusMeters: 10 }),
        /k must be a positive integer .* 1.5/,
      ],
      [
        () => index.nearest(10, 10, { k: 1, radiusMeters: -1 }),
        /radiusMeters must be .* >= 0 .* got -1/,
      ],
      [() => index.nearest(10, 10, { k: 1, radiusMeters: Number.NaN }), /radiusMeters .* got NaN/],
      [() => index.nearest(-91, 10, { k: 1, radiusMeters: 1 }), /lat -91 is outside/],
      [() => index.within(10, 200, 5), /lng 200 is outside/],
      [() => index.within(10, 10, -5), /radiusMeters must be/],
      [
        () => new ShardedQuadtree({ shardPrecision: 0 }),
        /shardPrecision must be an integer in \[1, 8\], got 0/,
      ],
      [
        () => new ShardedQuadtree({ nodeCapacity: 0 }),
        /nodeCapacity must be an integer in \[1, 4096\], got 0/,
      ],
    ])('%#', (call, message) => {
      expect(call).toThrow(RangeError);
      expect(call).toThrow(message);
    });

    it('leaves the index untouched after a rejected upsert', () => {
      expect(() => index.upsert('d1', 10, 500)).toThrow(RangeError);
      expect(index.size).toBe(0);
      expect(index.get('d1')).toBeUndefined();
    });
  });

  it('answers empty results on an empty index', () => {
    const index = new ShardedQuadtree();
    expect(index.size).toBe(0);
    expect(index.shardCount).toBe(0);
    expect(index.nearest(0, 0, { k: 5, radiusMeters: Infinity })).toEqual([]);
    expect(index.within(0, 0, 1e9)).toEqual([]);
    expect(index.remove('nobody')).toBe(false);
    expect(index.get('nobody')).toBeUndefined();
  });

  it('returns fewer than k when fewer points match, closest first', () => {
    const index = new ShardedQuadtree<string>();
    index.upsert('far', 12.99, 77.6);
    index.upsert('near', 12.971, 77.594);
    index.upsert('out', 13.5, 77.6);
    const result = index.nearest(12.97, 77.594, { k: 10, radiusMeters: 5_000 });
    expect(result.map((n) => n.id)).toEqual(['near', 'far']);
    expect(result[0].distanceMeters).toBeCloseTo(111.2, 0);
  });

  it('breaks equal distances by id', () => {
    const index = new ShardedQuadtree();
    for (const id of ['c', 'a', 'b']) index.upsert(id, 1, 1);
    index.upsert('z', 1, 1.0001);
    expect(index.nearest(1, 1, { k: 2, radiusMeters: 100 }).map((n) => n.id)).toEqual(['a', 'b']);
    expect(index.within(1, 1, 100).map((n) => n.id)).toEqual(['a', 'b', 'c', 'z']);
  });

  it('applies the filter during the search: k matches even when the nearest 500 are busy', () => {
    const index = new ShardedQuadtree<{ busy: boolean }>({ nodeCapacity: 8 });
    for (let i = 0; i < 500; i++)
      index.upsert(`busy-${i}`, 12.97 + i * 1e-6, 77.59, { busy: true });
    for (let i = 0; i < 5; i++) index.upsert(`free-${i}`, 12.98 + i * 1e-3, 77.59, { busy: false });
    const result = index.nearest(12.97, 77.59, {
      k: 3,
      radiusMeters: 10_000,
      filter: (_id, data) => data?.busy === false,
    });
    expect(result.map((n) => n.id)).toEqual(['free-0', 'free-1', 'free-2']);
  });

  it('keeps data when an upsert omits it and replaces it when given', () => {
    const index = new ShardedQuadtree<string>();
    index.upsert('d1', 10, 10, 'sedan');
    index.upsert('d1', 10.0001, 10);
    expect(index.get('d1')).toEqual({ lat: 10.0001, lng: 10, data: 'sedan' });
    index.upsert('d1', 10.0001, 10, 'suv');
    expect(index.nearest(10, 10, { k: 1, radiusMeters: 100 })[0].data).toBe('suv');
  });

  it('updates a point in place when it stays in its leaf, and moves shards when it must', () => {
    const index = new ShardedQuadtree({ shardPrecision: 4 });
    index.upsert('d1', 12.97, 77.59);
    expect(index.counters).toEqual({ inserts: 1, inPlaceMoves: 0, leafMoves: 0, shardMoves: 0 });
    index.upsert('d1', 12.9701, 77.5901);
    expect(index.counters.inPlaceMoves).toBe(1);
    expect(index.shardStats().map((s) => s.cell)).toEqual(['tdr1']);
    index.upsert('d1', 28.61, 77.2);
    expect(index.counters.shardMoves).toBe(1);
    expect(index.shardStats()).toEqual([expect.objectContaining({ cell: 'ttnf', size: 1 })]);
    expect(index.get('d1')).toEqual({ lat: 28.61, lng: 77.2, data: undefined });
  });

  it('moves between leaves of one shard without leaving the shard', () => {
    const index = new ShardedQuadtree({ shardPrecision: 4, nodeCapacity: 1 });
    index.upsert('a', 12.9, 77.5);
    index.upsert('b', 12.95, 77.55);
    index.upsert('a', 12.96, 77.56);
    expect(index.counters.leafMoves).toBe(1);
    expect(index.shardCount).toBe(1);
    expect(index.nearest(12.96, 77.56, { k: 1, radiusMeters: 10 })[0].id).toBe('a');
  });

  it('collapses nodes and drops shards as points leave', () => {
    const index = new ShardedQuadtree({ shardPrecision: 5, nodeCapacity: 2 });
    for (let i = 0; i < 300; i++) index.upsert(`d${i}`, 12.9 + (i % 20) * 0.01, 77.5 + i * 0.001);
    expect(index.shardCount).toBeGreaterThan(1);
    expect(index.nodeCount).toBeGreaterThan(index.shardCount);
    for (let i = 0; i < 300; i++) expect(index.remove(`d${i}`)).toBe(true);
    expect(index.size).toBe(0);
    expect(index.shardCount).toBe(0);
    expect(index.nodeCount).toBe(0);
    expect([...index.shards()]).toEqual([]);
  });

  it('reuses slots of removed ids', () => {
    const index = new ShardedQuadtree();
    index.upsert('a', 1, 1);
    index.remove('a');
    index.upsert('b', 2, 2);
    expect(index.get('a')).toBeUndefined();
    expect(index.get('b')).toEqual({ lat: 2, lng: 2, data: undefined });
    expect(index.nearest(2, 2, { k: 5, radiusMeters: Infinity }).map((n) => n.id)).toEqual(['b']);
  });

  it('finds neighbours across the antimeridian and over a pole', () => {
    const index = new ShardedQuadtree();
    index.upsert('east', 0, 179.9999);
    index.upsert('west', 0, -179.99995);
    index.upsert('pole-a', 89.9999, 0);
    index.upsert('pole-b', 89.9999, 180);
    expect(index.nearest(0, 180, { k: 2, radiusMeters: 100 }).map((n) => n.id)).toEqual([
      'west',
      'east',
    ]);
    expect(index.within(89.9999, 90, 50).map((n) => n.id)).toEqual(['pole-a', 'pole-b']);
  });

  it('refuses to be queried from inside its own filter', () => {
    const index = new ShardedQuadtree();
    index.upsert('a', 1, 1);
    const reentrant = (): boolean => index.nearest(1, 1, { k: 1, radiusMeters: 1 }).length > 0;
    expect(() => index.nearest(1, 1, { k: 1, radiusMeters: 10, filter: reentrant })).toThrow(
      /filters must not call back into the index/,
    );
    expect(index.nearest(1, 1, { k: 1, radiusMeters: 10 })).toHaveLength(1);
  });

  it('names the shard cell of a point with the same rule as ngeohash', () => {
    const index = new ShardedQuadtree({ shardPrecision: 4 });
    expect(index.shardCellOf(12.97, 77.59)).toBe('tdr1');
    expect(index.shardCellOf(0, 0)).toBe('7zzz');
    expect(index.shardCellOf(-90, -180)).toBe('0000');
    expect(index.shardCellOf(90, 180)).toBe('zzzz');
  });
});

describe('handles', () => {
  it('upsert returns a handle that move and moveMany accept, like upserts by id', () => {
    const byHandle = new ShardedQuadtree<string>({ nodeCapacity: 2 });
    const byId = new ShardedQuadtree<string>({ nodeCapacity: 2 });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const handles = ids.map((id, i) => byHandle.upsert(id, 12.9 + i * 0.01, 77.5, id));
    ids.forEach((id, i) => byId.upsert(id, 12.9 + i * 0.01, 77.5, id));
    expect(ids.map((id) => byHandle.handleOf(id))).toEqual(handles);
    byHandle.move(handles[0], 13.2, 77.9);
    byId.upsert('a', 13.2, 77.9);
    byHandle.moveMany(
      Float64Array.from(handles.slice(1)),
      [12.0, 12.0, 45.0, -33.9],
      [77.0, 77.0, 9.2, 18.4],
    );
    ['b', 'c', 'd', 'e'].forEach((id, i) =>
      byId.upsert(id, [12.0, 12.0, 45.0, -33.9][i], [77.0, 77.0, 9.2, 18.4][i]),
    );
    for (const id of ids) expect(byHandle.get(id)).toEqual(byId.get(id));
    expect(byHandle.nearest(12, 77, { k: 3, radiusMeters: Infinity })).toEqual(
      byId.nearest(12, 77, { k: 3, radiusMeters: Infinity }),
    );
    expect(byHandle.counters).toEqual(byId.counters);
  });

  it('refuses a handle after its point is removed, even once the slot is reused', () => {
    const index = new ShardedQuadtree();
    const old = index.upsert('a', 1, 1);
    index.remove('a');
    expect(() => index.move(old, 2, 2)).toThrow(/names no indexed point: it was removed/);
    const reused = index.upsert('b', 3, 3);
    expect(reused).not.toBe(old);
    expect(() => index.move(old, 2, 2)).toThrow(RangeError);
    index.move(reused, 4, 4);
    expect(index.get('b')).toEqual({ lat: 4, lng: 4, data: undefined });
    expect(index.handleOf('a')).toBeUndefined();
  });

  it('explains bad handles, coordinates and counts', () => {
    const index = new ShardedQuadtree();
    const h = index.upsert('a', 1, 1);
    for (const bad of [-1, 0.5, NaN, h + 1])
      expect(() => index.move(bad, 1, 1)).toThrow(RangeError);
    expect(() => index.move(-1, 1, 1)).toThrow(/returned by upsert or handleOf/);
    expect(() => index.move(h, 123, 1)).toThrow(/were lat and lng swapped/);
    expect(() => index.moveMany([h], [1], [200])).toThrow(/lng\[0\] 200 is outside/);
    expect(() => index.moveMany([h], [1], [1], 2)).toThrow(/count must be an integer/);
    expect(index.get('a')).toEqual({ lat: 1, lng: 1, data: undefined });
  });

  it('moveMany refuses a bad handle anywhere in a block before moving any of it', () => {
    const index = new ShardedQuadtree();
    const live = [index.upsert('a', 1, 1), index.upsert('b', 2, 2)];
    const removed = index.upsert('c', 3, 3);
    index.remove('c');
    // A removed point's handle, a slot never allocated, a negative, a fraction, a non-number.
    for (const bad of [removed, 5_000, -1, 0.5, undefined as unknown as number]) {
      const handles = [live[0], live[1], bad];
      expect(() => index.moveMany(handles, [5, 5, 5], [5, 5, 5])).toThrow(RangeError);
      expect(index.get('a')).toEqual({ lat: 1, lng: 1, data: undefined });
      expect(index.get('b')).toEqual({ lat: 2, lng: 2, data: undefined });
    }
    expect(() => index.moveMany([live[0], removed], [5, 5], [5, 5])).toThrow(/it was removed/);
    index.moveMany(live, [5, 6], [5, 6]);
    expect(index.get('b')).toEqual({ lat: 6, lng: 6, data: undefined });
  });

  /**
   * moveMany checks a whole block against the slot boxes before moving any of it. These are the
   * two ways a move earlier in the block could make such a check wrong; each block is compared
   * with the same pings made one `move` at a time, and every point must be found where it is.
   */
  describe('moveMany within a block whose earlier moves change slot boxes', () => {
    const twins = (nodeCapacity: number, points: [string, number, number][]) => {
      const batched = new ShardedQuadtree({ nodeCapacity });
      const single = new ShardedQuadtree({ nodeCapacity });
      const handles = points.map(([id, lat, lng]) => batched.upsert(id, lat, lng));
      points.forEach(([id, lat, lng]) => single.upsert(id, lat, lng));
      return { batched, single, handles };
    };
    const expectFoundWhereItIs = (index: ShardedQuadtree, ids: string[]) => {
      for (const id of ids) {
        const { lat, lng } = index.get(id)!;
        expect(index.nearest(lat, lng, { k: 1, radiusMeters: 1 }).map((n) => n.id)).toEqual([id]);
      }
    };

    it('a slot pinged twice: out of its leaf, then back inside the box it had', () => {
      const points: [string, number, number][] = ['a', 'b', 'c', 'd', 'e'].map((id, i) => [
        id,
        12.9 + i * 0.01,
        77.5,
      ]);
      const { batched, single, handles } = twins(2, points);
      // Back inside: a move there from where 'c' starts would be in place.
      const { single: probe } = twins(2, points);
      probe.upsert('c', 12.9201, 77.5001);
      expect(probe.counters.inPlaceMoves).toBe(1);

      batched.moveMany([handles[2], handles[2]], [13.2, 12.9201], [77.9, 77.5001]);
      single.upsert('c', 13.2, 77.9);
      single.upsert('c', 12.9201, 77.5001);
      expect(batched.get('c')).toEqual({ lat: 12.9201, lng: 77.5001, data: undefined });
      expect(batched.counters).toEqual(single.counters);
      expectFoundWhereItIs(batched, ['a', 'b', 'c', 'd', 'e']);
    });

    it('a leaf split by an earlier move of the block, then a ping inside the box it had', () => {
      const cell = geohashBounds(new ShardedQuadtree().shardCellOf(12.97, 77.59));
      const h = cell.maxLat - cell.minLat;
      const w = cell.maxLng - cell.minLng;
      const at = (fLat: number, fLng: number): [number, number] => [
        cell.minLat + fLat * h,
        cell.minLng + fLng * w,
      ];
      // Four points in the corners of one index cell: its root is a full leaf whose box spans
      // the cell, and 'y', added last, has that box for its own. 'z' starts far away.
      const points: [string, number, number][] = [
        ['p', ...at(0.9, 0.9)],
        ['q', ...at(0.1, 0.9)],
        ['r', ...at(0.9, 0.1)],
        ['y', ...at(0.1, 0.1)],
        ['z', 40, -3],
      ];
      const { batched, single, handles } = twins(4, points);
      const yTo = at(0.85, 0.85);
      const { single: probe } = twins(4, points);
      probe.upsert('y', ...yTo);
      expect(probe.counters.inPlaceMoves).toBe(1);

      // 'z' arrives and splits the root; 'y' then crosses into another quadrant of it.
      const zTo = at(0.2, 0.2);
      batched.moveMany([handles[4], handles[3]], [zTo[0], yTo[0]], [zTo[1], yTo[1]]);
      single.upsert('z', ...zTo);
      single.upsert('y', ...yTo);
      expect(batched.nodeCount).toBeGreaterThan(probe.nodeCount);
      // moveMany wrote 'y' before 'z' came, so it counts that ping as in place, not a leaf move.
      expect(batched.counters.inPlaceMoves + batched.counters.leafMoves).toBe(
        single.counters.inPlaceMoves + single.counters.leafMoves,
      );
      expectFoundWhereItIs(batched, ['y', 'p', 'q', 'r', 'z']);
      for (const id of ['y', 'p', 'q', 'r', 'z']) {
        const { lat, lng } = single.get(id)!;
        expect(batched.get(id)).toEqual(single.get(id));
        expect(batched.nearest(lat, lng, { k: 5, radiusMeters: Infinity })).toEqual(
          single.nearest(lat, lng, { k: 5, radiusMeters: Infinity }),
        );
      }
    });
  });
});
