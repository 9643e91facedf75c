export * from './pings';
export * from './eta';
export * from './trip-state';
export * from './match-scoring';
export * from './fares';
export * from './prng';
export * from './pickup-code';
