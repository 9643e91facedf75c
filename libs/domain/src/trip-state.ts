/**
 * The trip state machine: every transition, who may make it, from which states. The one
 * place that decides whether a step is in order; repositories apply it as a conditional update.
 */
export type TripState =
  | 'REQUESTED'
  | 'DRIVER_ASSIGNED'
  | 'DRIVER_ARRIVED'
  | 'IN_PROGRESS'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'NO_DRIVER_FOUND';

export type TripActorRole = 'rider' | 'driver' | 'admin' | 'system';

export type TripAction =
  | 'ACCEPT'
  | 'ARRIVE'
  | 'START'
  | 'COMPLETE'
  | 'RIDER_CANCEL'
  | 'DRIVER_CANCEL'
  | 'NO_DRIVER'
  | 'SYSTEM_CANCEL';

export interface Transition {
  from: readonly TripState[];
  to: TripState;
  by: readonly TripActorRole[];
}

/** A trip still going somewhere: the rider may not request another (one list, used by SQL too). */
export const OPEN_STATES: readonly TripState[] = [
  'REQUESTED',
  'DRIVER_ASSIGNED',
  'DRIVER_ARRIVED',
  'IN_PROGRESS',
];
/** A driver holds the trip: it may not be offered or take another (one list, used by SQL too). */
export const ASSIGNED_STATES: readonly TripState[] = [
  'DRIVER_ASSIGNED',
  'DRIVER_ARRIVED',
  'IN_PROGRESS',
];

export const TRANSITIONS: Readonly<Record<TripAction, Transition>> = {
  ACCEPT: { from: ['REQUESTED'], to: 'DRIVER_ASSIGNED', by: ['driver'] },
  ARRIVE: { from: ['DRIVER_ASSIGNED'], to: 'DRIVER_ARRIVED', by: ['driver'] },
  START: { from: ['DRIVER_ARRIVED'], to: 'IN_PROGRESS', by: ['driver'] },
  COMPLETE: { from: ['IN_PROGRESS'], to: 'COMPLETED', by: ['driver'] },
  // The rider may cancel at any point before completion.
  RIDER_CANCEL: { from: OPEN_STATES, to: 'CANCELLED', by: ['rider'] },
  // A driver who cancels before the start sends the trip back to matching.
  DRIVER_CANCEL: {
    from: ['DRIVER_ASSIGNED', 'DRIVER_ARRIVED'],
    to: 'REQUESTED',
    by: ['driver', 'system'],
  },
  NO_DRIVER: { from: ['REQUESTED'], to: 'NO_DRIVER_FOUND', by: ['system'] },
  SYSTEM_CANCEL: { from: OPEN_STATES, to: 'CANCELLED', by: ['system', 'admin'] },
};

export function isOpen(state: TripState): boolean {
  return OPEN_STATES.includes(state);
}

/** The state after `action`, or null when the step is out of order or not this role's. */
export function nextState(
  state: TripState,
  action: TripAction,
  by: TripActorRole,
): TripState | null {
  const transition = TRANSITIONS[action];
  if (!transition.by.includes(by) || !transition.from.includes(state)) return null;
  return transition.to;
}
