/** Time as the services see it; injected so tests can be exact instead of sleeping. */
export interface Clock {
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
