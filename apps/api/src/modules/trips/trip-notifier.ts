import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { LatLng, Role, SocketEvent, TripOfferView, TripServerEvents } from '@app/contracts';
import { actorRoom } from '../../common/auth/socket-auth';
import { TripRecord, toTripView } from './trip.model';

type Args<E extends keyof TripServerEvents> = Parameters<TripServerEvents[E]>;

/**
 * Pushes trip events to the sockets of the people concerned (every device of an account is in
 * its room). The gateways attach their namespaces at start.
 */
@Injectable()
export class TripNotifier {
  private riders?: Namespace;
  private drivers?: Namespace;

  attach(role: 'rider' | 'driver', namespace: Namespace): void {
    if (role === 'rider') this.riders = namespace;
    else this.drivers = namespace;
  }

  tripChanged(
    trip: TripRecord,
    extra: { driverLocation?: LatLng; etaSeconds?: number } = {},
  ): void {
    this.toRider(trip.riderId, SocketEvent.TRIP_UPDATE, { trip: toTripView(trip, 'rider', extra) });
    if (trip.driverId) {
      this.toDriver(trip.driverId, SocketEvent.TRIP_UPDATE, { trip: toTripView(trip, 'driver') });
    }
  }

  offer(driverId: string, offer: TripOfferView): void {
    this.toDriver(driverId, SocketEvent.TRIP_OFFER, offer);
  }

  offerRevoked(driverId: string, tripId: string, reason: string): void {
    this.toDriver(driverId, SocketEvent.TRIP_OFFER_REVOKED, { tripId, reason });
  }

  driverLocation(riderId: string, body: Args<'driver:location'>[0]): void {
    this.toRider(riderId, SocketEvent.DRIVER_LOCATION, body);
  }

  private toRider<E extends keyof TripServerEvents>(riderId: string, event: E, ...args: Args<E>) {
    this.riders?.to(actorRoom({ id: riderId, role: Role.RIDER })).emit(event, ...args);
  }

  private toDriver<E extends keyof TripServerEvents>(driverId: string, event: E, ...args: Args<E>) {
    this.drivers?.to(actorRoom({ id: driverId, role: Role.DRIVER })).emit(event, ...args);
  }
}
