import { Injectable } from '@nestjs/common';
import { SocketEvent, TripOfferView } from '@app/contracts';
import { SocketHub } from '../../common/socket/socket-hub';

/** Tells drivers about offers made to them and offers taken back (every device of the driver). */
@Injectable()
export class OfferNotifier {
  constructor(private readonly hub: SocketHub) {}

  offer(driverId: string, offer: TripOfferView): void {
    this.hub.driver(driverId)?.emit(SocketEvent.TRIP_OFFER, offer);
  }

  offerRevoked(driverId: string, tripId: string, reason: string): void {
    this.hub.driver(driverId)?.emit(SocketEvent.TRIP_OFFER_REVOKED, { tripId, reason });
  }
}
