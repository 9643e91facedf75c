import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { TripStatus } from '@app/contracts';
import type { TripAction } from '@app/domain';
import type { TripRecord } from '../modules/trips/trip.model';

/**
 * In-process events between modules, by name. Emitted after the transaction that caused them
 * has committed; the database stays the truth, so a lost event delays a notification but never
 * corrupts state.
 */
export interface DomainEvents {
  'trip.changed': { trip: TripRecord; from: TripStatus | null; action: TripAction | 'REQUEST' };
}

export const TRIP_CHANGED = 'trip.changed';

@Injectable()
export class EventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
    this.emitter.emit(name, payload);
  }
}
