import type { TripOfferView } from '@app/contracts';
import { Prng } from '@app/domain';
import { World } from './world';

const ACCEPT_P = 0.85;
const DENY_P = 0.075; // the rest lets the offer expire
/** Time for the event that frees a driver (trip ended, offer revoked) to arrive after an offer. */
const OFFER_GRACE_MS = 1_500;

/** What the offer desk needs from its driver. */
export interface OfferHost {
  readonly driverId: string;
  /** The trip the driver is on and not yet ending, if any. */
  busyWith(): string | null;
  answer(tripId: string, decision: 'accept' | 'deny'): Promise<void>;
}

/**
 * A driver's offers: at most one open at a time, answered after a seeded think (accept, deny,
 * or let it expire). An offer to a driver who is on a trip or already holds an offer breaks
 * an invariant, unless the event that frees the driver arrives within a short grace.
 */
export class OfferDesk {
  private open: { tripId: string; timer?: NodeJS.Timeout } | null = null;

  constructor(
    private readonly host: OfferHost,
    private readonly rng: Prng,
    private readonly world: World,
  ) {}

  get openTripId(): string | null {
    return this.open?.tripId ?? null;
  }

  received(offer: TripOfferView): void {
    this.world.stats.offers.add('received');
    if (this.open?.tripId === offer.tripId) return; // sent again after a reconnect
    const blockingTrip = this.host.busyWith();
    const blockingOffer = this.open?.tripId ?? null;
    if (!blockingTrip && !blockingOffer) return this.consider(offer);
    setTimeout(() => {
      const driver = this.host.driverId;
      if (blockingTrip && this.host.busyWith() === blockingTrip) {
        this.violation(
          `driver ${driver} was offered trip ${offer.tripId} while on ${blockingTrip}`,
        );
        void this.host.answer(offer.tripId, 'deny');
      } else if (blockingOffer && this.open?.tripId === blockingOffer) {
        this.violation(
          `driver ${driver} was offered trip ${offer.tripId} while offer ${blockingOffer} was open`,
        );
        void this.host.answer(offer.tripId, 'deny');
      } else this.consider(offer);
    }, OFFER_GRACE_MS);
  }

  revoked(tripId: string, reason: string): void {
    this.world.stats.offers.add(reason === 'EXPIRED' ? 'expired' : 'revoked');
    this.close(tripId);
  }

  /** Forgets the open offer of `tripId` (answered, revoked, or its trip taken). */
  close(tripId: string | null = this.openTripId): void {
    if (!this.open || this.open.tripId !== tripId) return;
    clearTimeout(this.open.timer);
    this.open = null;
  }

  private consider(offer: TripOfferView): void {
    if (this.world.phase !== 'running' || this.host.busyWith()) {
      void this.host.answer(offer.tripId, 'deny');
      return;
    }
    const roll = this.rng.next();
    const thinkMs = this.rng.between(1_000, 4_000);
    this.open = { tripId: offer.tripId };
    if (roll >= ACCEPT_P + DENY_P) {
      this.world.stats.offers.add('ignored');
      return;
    }
    const decision = roll < ACCEPT_P ? 'accept' : 'deny';
    const leftMs = new Date(offer.expiresAt).getTime() - Date.now() - 500;
    this.open.timer = setTimeout(
      () => void this.host.answer(offer.tripId, decision),
      Math.max(0, Math.min(thinkMs, leftMs)),
    );
  }

  private violation(message: string): void {
    this.world.stats.violation(message);
  }
}
