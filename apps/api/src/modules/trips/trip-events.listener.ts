import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DomainEvents, TRIP_CHANGED } from '../../common/events';
import { TripNotifier } from './trip-notifier';
import { TripTracker } from './trip-tracker';

/** Every committed trip change reaches the rider and the driver as `trip:update`. */
@Injectable()
export class TripEventsListener {
  constructor(
    private readonly notifier: TripNotifier,
    private readonly tracker: TripTracker,
  ) {}

  @OnEvent(TRIP_CHANGED)
  changed({ trip }: DomainEvents['trip.changed']): void {
    this.notifier.tripChanged(trip, { etaSeconds: this.tracker.etaFor(trip) });
  }
}
