import { nextState, TRANSITIONS, TripAction, TripActorRole, TripState } from './trip-state';

const ALL_STATES: TripState[] = [
  'REQUESTED',
  'DRIVER_ASSIGNED',
  'DRIVER_ARRIVED',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
  'NO_DRIVER_FOUND',
];

/** Every allowed (state, action, role) and where it leads; anything else is out of order. */
const ALLOWED: [TripState, TripAction, TripActorRole, TripState][] = [
  ['REQUESTED', 'ACCEPT', 'driver', 'DRIVER_ASSIGNED'],
  ['DRIVER_ASSIGNED', 'ARRIVE', 'driver', 'DRIVER_ARRIVED'],
  ['DRIVER_ARRIVED', 'START', 'driver', 'IN_PROGRESS'],
  ['IN_PROGRESS', 'COMPLETE', 'driver', 'COMPLETED'],
  ['REQUESTED', 'RIDER_CANCEL', 'rider', 'CANCELLED'],
  ['DRIVER_ASSIGNED', 'RIDER_CANCEL', 'rider', 'CANCELLED'],
  ['DRIVER_ARRIVED', 'RIDER_CANCEL', 'rider', 'CANCELLED'],
  ['IN_PROGRESS', 'RIDER_CANCEL', 'rider', 'CANCELLED'],
  ['DRIVER_ASSIGNED', 'DRIVER_CANCEL', 'driver', 'REQUESTED'],
  ['DRIVER_ARRIVED', 'DRIVER_CANCEL', 'driver', 'REQUESTED'],
  ['DRIVER_ASSIGNED', 'DRIVER_CANCEL', 'system', 'REQUESTED'],
  ['DRIVER_ARRIVED', 'DRIVER_CANCEL', 'system', 'REQUESTED'],
  ['REQUESTED', 'NO_DRIVER', 'system', 'NO_DRIVER_FOUND'],
  ...(['REQUESTED', 'DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS'] as TripState[]).flatMap(
    (s): [TripState, TripAction, TripActorRole, TripState][] => [
      [s, 'SYSTEM_CANCEL', 'system', 'CANCELLED'],
      [s, 'SYSTEM_CANCEL', 'admin', 'CANCELLED'],
    ],
  ),
];

describe('trip state machine', () => {
  it.each(ALLOWED)('%s --%s by %s--> %s', (from, action, by, to) => {
    expect(nextState(from, action, by)).toBe(to);
  });

  it('refuses every other combination of state, action and role', () => {
    const allowed = new Set(ALLOWED.map(([s, a, r]) => `${s}/${a}/${r}`));
    const roles: TripActorRole[] = ['rider', 'driver', 'admin', 'system'];
    let refused = 0;
    for (const state of ALL_STATES) {
      for (const action of Object.keys(TRANSITIONS) as TripAction[]) {
        for (const role of roles) {
          if (allowed.has(`${state}/${action}/${role}`)) continue;
          expect([state, action, role, nextState(state, action, role)]).toEqual([
            state,
            action,
            role,
            null,
          ]);
          refused += 1;
        }
      }
    }
    expect(refused).toBe(ALL_STATES.length * 8 * roles.length - ALLOWED.length);
  });

  it('has no way out of a terminal state', () => {
    for (const state of ['COMPLETED', 'CANCELLED', 'NO_DRIVER_FOUND'] as TripState[]) {
      for (const t of Object.values(TRANSITIONS)) expect(t.from).not.toContain(state);
    }
  });
});
