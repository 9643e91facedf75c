import { Injectable } from '@nestjs/common';
import { LatLng, RiderServerEvents, SocketEvent } from '@app/contracts';
import { SocketHub } from '../../common/socket/socket-hub';
import { TripRecord, toTripView } from './trip.model';

/**
 * Pushes trip changes and the live view to the people concerned: every device of an account is
 * in its room, reached through the socket hub. Offers are matching's (`OfferNotifier`).
 */
@Injectable()
export class TripNotifier {
  constructor(private readonly hub: SocketHub) {}

  tripChanged(
    trip: TripRecord,
    extra: { driverLocation?: LatLng; etaSeconds?: number } = {},
  ): void {
    this.hub
      .rider(trip.riderId)
      ?.emit(SocketEvent.TRIP_UPDATE, { trip: toTripView(trip, 'rider', extra) });
    if (trip.driverId) {
      this.hub
        .driver(trip.driverId)
        ?.emit(SocketEvent.TRIP_UPDATE, { trip: toTripView(trip, 'driver') });
    }
  }

  driverLocation(riderId: string, body: Parameters<RiderServerEvents['driver:location']>[0]): void {
    this.hub.rider(riderId)?.emit(SocketEvent.DRIVER_LOCATION, body);
  }
}
