import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OfferOutcome } from '@app/contracts';
import { isUniqueViolation } from '../../database/pg-errors';

export interface Offer {
  id: string;
  tripId: string;
  driverId: string;
  round: number;
  score: number;
  pickupEtaSeconds: number;
  status: OfferOutcome;
  offeredAt: Date;
  expiresAt: Date;
  respondedAt: Date | null;
  reason: string | null;
}

/** One candidate of a round, as the dispatch log shows it. */
export interface LoggedCandidate {
  driverId: string;
  distanceMeters: number;
  pickupEtaSeconds: number;
  rating: number | null;
  acceptanceRate: number | null;
  score: number | null;
  decision: 'OFFERED' | 'NOT_REACHED' | 'BUSY_WITH_ANOTHER_OFFER' | 'SUSPENDED_OR_UNKNOWN';
}

const OFFER_COLUMNS = `id, trip_id, driver_id, round, score, pickup_eta_seconds, status,
  offered_at, expires_at, responded_at, reason`;

interface OfferRow {
  id: string;
  trip_id: string;
  driver_id: string;
  round: number;
  score: string;
  pickup_eta_seconds: number;
  status: OfferOutcome;
  offered_at: Date;
  expires_at: Date;
  responded_at: Date | null;
  reason: string | null;
}

const toOffer = (r: OfferRow): Offer => ({
  id: r.id,
  tripId: r.trip_id,
  driverId: r.driver_id,
  round: r.round,
  score: Number(r.score),
  pickupEtaSeconds: r.pickup_eta_seconds,
  status: r.status,
  offeredAt: r.offered_at,
  expiresAt: r.expires_at,
  respondedAt: r.responded_at,
  reason: r.reason,
});

/**
 * Offers and matching rounds. The rules that keep dispatch safe across processes are indexes
 * (see the dispatch migration); this repository turns their violations into plain answers.
 */
@Injectable()
export class OffersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Creates a PENDING offer, or returns null when the driver may not get one: an index forbids
   * it (offered this trip before, holds another pending offer, or the trip has one), or the
   * driver is on a trip. The per-driver lock orders this against a claim of the driver's other
   * offer (see `lockDriver`), so an offer never lands between an accept and its commit.
   */
  async create(input: {
    tripId: string;
    driverId: string;
    round: number;
    score: number;
    pickupEtaSeconds: number;
    expiresAt: Date;
  }): Promise<Offer | null> {
    try {
      return await this.db.transaction(async (tx) => {
        await this.lockDriver(tx, input.driverId);
        const busy: unknown[] = await tx.query(
          `SELECT 1 FROM trips WHERE driver_id = $1
             AND status IN ('DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS') LIMIT 1`,
          [input.driverId],
        );
        if (busy.length > 0) return null;
        const rows: OfferRow[] = await tx.query(
          `INSERT INTO trip_offers (trip_id, driver_id, round, score, pickup_eta_seconds, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${OFFER_COLUMNS}`,
          [
            input.tripId,
            input.driverId,
            input.round,
            input.score,
            input.pickupEtaSeconds,
            input.expiresAt,
          ],
        );
        return toOffer(rows[0]);
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /**
   * Serializes, per driver, the creation of an offer and the claim of one, until the end of the
   * calling transaction. Taken by a claim before it resolves its offer: a concurrent creation
   * then sees either the still-pending offer (unique index) or the committed assignment.
   */
  async lockDriver(tx: EntityManager, driverId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [driverId]);
  }

  async pendingForTrip(tripId: string): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE trip_id = $1 AND status = 'PENDING'`,
      [tripId],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  async pendingForDriver(driverId: string): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE driver_id = $1 AND status = 'PENDING'`,
      [driverId],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  async findForDriver(tripId: string, driverId: string): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE trip_id = $1 AND driver_id = $2`,
      [tripId, driverId],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  async forTrip(tripId: string): Promise<Offer[]> {
    const rows: OfferRow[] = await this.db.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE trip_id = $1 ORDER BY offered_at`,
      [tripId],
    );
    return rows.map(toOffer);
  }

  /**
   * PENDING -> outcome, only if still pending (and, for ACCEPTED, not expired). Updates the
   * driver's acceptance rate (an exponential average) in the same statement. Returns whether
   * this call made the change: a second answer to the same offer changes nothing.
   */
  async resolve(
    offerId: string,
    outcome: Exclude<OfferOutcome, 'PENDING'>,
    reason: string | null,
    tx: EntityManager = this.db.manager,
  ): Promise<Offer | null> {
    const rows: OfferRow[] = await tx.query(
      `WITH changed AS (
         UPDATE trip_offers SET status = $2, responded_at = clock_timestamp(), reason = $3
         WHERE id = $1 AND status = 'PENDING' AND ($2 <> 'ACCEPTED' OR expires_at > clock_timestamp())
         RETURNING ${OFFER_COLUMNS}
       ), rate AS (
         UPDATE drivers SET acceptance_rate = round(acceptance_rate * 0.95 + $4 * 0.05, 3)
         WHERE id = (SELECT driver_id FROM changed) AND $2 IN ('ACCEPTED', 'DENIED', 'EXPIRED')
       )
       SELECT * FROM changed`,
      [offerId, outcome, reason, outcome === 'ACCEPTED' ? 1 : 0],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  /** Offers whose time ran out more than `graceMs` ago but are still PENDING (lost timers). */
  async overdue(graceMs: number, limit = 500): Promise<Offer[]> {
    const rows: OfferRow[] = await this.db.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers
       WHERE status = 'PENDING' AND expires_at < clock_timestamp() - $1 * interval '1 millisecond'
       ORDER BY expires_at LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map(toOffer);
  }

  async countRounds(tripId: string): Promise<number> {
    const [row]: { n: string }[] = await this.db.query(
      `SELECT count(*) AS n FROM dispatch_rounds WHERE trip_id = $1`,
      [tripId],
    );
    return Number(row.n);
  }

  /**
   * REQUESTED trips whose matching has gone quiet since `since`: no pending offer, no round and
   * no offer answer after it. Their job chain is gone; the sweeper restarts it.
   */
  async quietRequestedTrips(since: Date, limit = 500): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT t.id FROM trips t
       WHERE t.status = 'REQUESTED' AND t.updated_at < $1
         AND NOT EXISTS (SELECT 1 FROM trip_offers o WHERE o.trip_id = t.id
                           AND (o.status = 'PENDING' OR coalesce(o.responded_at, o.offered_at) > $1))
         AND NOT EXISTS (SELECT 1 FROM dispatch_rounds r WHERE r.trip_id = t.id AND r.created_at > $1)
       ORDER BY t.created_at LIMIT $2`,
      [since, limit],
    );
    return rows.map((r) => r.id);
  }

  async offeredDriverIds(tripId: string): Promise<Set<string>> {
    const rows: { driver_id: string }[] = await this.db.query(
      `SELECT driver_id FROM trip_offers WHERE trip_id = $1`,
      [tripId],
    );
    return new Set(rows.map((r) => r.driver_id));
  }

  async recordRound(round: {
    tripId: string;
    round: number;
    radiusMeters: number;
    candidates: LoggedCandidate[];
    outcome: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO dispatch_rounds (trip_id, round, radius_meters, candidates, outcome)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        round.tripId,
        round.round,
        round.radiusMeters,
        JSON.stringify(round.candidates),
        round.outcome,
      ],
    );
  }

  async rounds(tripId: string) {
    const rows: {
      round: number;
      radius_meters: number;
      candidates: LoggedCandidate[];
      outcome: string;
      created_at: Date;
    }[] = await this.db.query(
      `SELECT round, radius_meters, candidates, outcome, created_at FROM dispatch_rounds
       WHERE trip_id = $1 ORDER BY created_at`,
      [tripId],
    );
    return rows.map((r) => ({
      round: r.round,
      radiusMeters: r.radius_meters,
      outcome: r.outcome,
      candidates: r.candidates,
      at: r.created_at.toISOString(),
    }));
  }
}
