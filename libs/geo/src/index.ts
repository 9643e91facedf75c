export {
  ShardedQuadtree,
  DEFAULT_NODE_CAPACITY,
  DEFAULT_SHARD_PRECISION,
  INDEX_PRECISION,
  type MoveCounters,
  type NearestOptions,
  type ShardedQuadtreeOptions,
} from './sharded-quadtree';
export type { ShardInfo } from './shard-directory';
export type { Neighbor, NeighborFilter } from './search';
export {
  boundingBoxAround,
  EARTH_RADIUS_METERS,
  haversineMeters,
  MAX_DISTANCE_METERS,
  type BoundingBox,
} from './geo-math';
export {
  geohashBounds,
  geohashNeighbours,
  geohashOf,
  MAX_SHARD_PRECISION,
  MIN_SHARD_PRECISION,
} from './cells';
