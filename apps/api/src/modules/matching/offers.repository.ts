import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { DispatchCandidate, OfferOutcome } from '@app/contracts';
import { OPEN_STATES } from '@app/domain';
import type { Db } from '../../common/transactions/unit-of-work';
import { TRIP_COLUMNS, TRIP_FROM, toTripRecord, TripRow } from '../trips/trip.sql';
import { TripRecord } from '../trips/trip.model';

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
export type LoggedCandidate = DispatchCandidate;

const OFFER_COLUMNS = `id, trip_id, driver_id, round, score, pickup_eta_seconds, status,
  offered_at, expires_at, responded_at, reason`;

/** The offer's columns beside a trip's in one row: `o.id AS offer_id`, ... */
const PREFIXED_OFFER_COLUMNS = OFFER_COLUMNS.split(',')
  .map((c) => `o.${c.trim()} AS offer_${c.trim()}`)
  .join(', ');

/** What a connecting driver is told at once: its open trip, and its pending offer's trip. */
export interface DriverSession {
  openTrip: TripRecord | null;
  pending: { offer: Offer; trip: TripRecord } | null;
}

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

/** What matching knows of a trip's dispatch so far, read in one query before each step. */
export interface DispatchProgress {
  pending: Offer | null;
  offeredDriverIds: Set<string>;
  rounds: number;
}

/**
 * Offers and matching rounds. The rules that keep dispatch safe across processes are indexes
 * (see the dispatch migration); this repository turns their violations into plain answers.
 * Every method joins the caller's unit of work when there is one.
 */
@Injectable()
export class OffersRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  /**
   * Inserts a PENDING offer, or returns null when an index forbids it: the driver was offered
   * this trip before, holds another pending offer, or the trip has one. Run it after
   * `lockDriver` in the same unit of work (see there).
   */
  async insert(input: {
    tripId: string;
    driverId: string;
    round: number;
    score: number;
    pickupEtaSeconds: number;
    expiresAt: Date;
  }): Promise<Offer | null> {
    // DO NOTHING, not a caught error: a unique violation would abort the caller's transaction.
    const rows: OfferRow[] = await this.db.tx.query(
      `INSERT INTO trip_offers (trip_id, driver_id, round, score, pickup_eta_seconds, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${OFFER_COLUMNS}`,
      [
        input.tripId,
        input.driverId,
        input.round,
        input.score,
        input.pickupEtaSeconds,
        input.expiresAt,
      ],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  /**
   * Serializes, per driver, the creation of an offer and the claim of one, until the end of the
   * current transaction. Taken by a claim before it resolves its offer, and by an offer's
   * creation before it checks the driver is free: a creation then sees either the still-pending
   * offer (unique index) or the committed assignment, so no offer lands between an accept and
   * its commit.
   */
  async lockDriver(driverId: string): Promise<void> {
    await this.db.tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [driverId]);
  }

  /** The trip's open offer, the drivers offered it so far and its number of rounds, at once. */
  async progress(tripId: string): Promise<DispatchProgress> {
    const rows: (Partial<OfferRow> & { offered: string[]; rounds: number })[] =
      await this.db.tx.query(
        `SELECT p.*,
           (SELECT coalesce(array_agg(driver_id::text), '{}') FROM trip_offers WHERE trip_id = $1)
             AS offered,
           (SELECT count(*)::int FROM dispatch_rounds WHERE trip_id = $1) AS rounds
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT ${OFFER_COLUMNS} FROM trip_offers
                            WHERE trip_id = $1 AND status = 'PENDING') AS p ON true`,
        [tripId],
      );
    const row = rows[0];
    return {
      pending: row.id ? toOffer(row as OfferRow) : null,
      offeredDriverIds: new Set(row.offered),
      rounds: row.rounds,
    };
  }

  async pendingForTrip(tripId: string): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.tx.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE trip_id = $1 AND status = 'PENDING'`,
      [tripId],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  /**
   * Connecting drivers' states, many in one query (connects come in storms after a process
   * dies): the newest open trip each drives and the trip of each one's pending offer.
   */
  async driverSessions(driverIds: readonly string[]): Promise<Map<string, DriverSession>> {
    const rows: (TripRow & Record<string, unknown>)[] = await this.db.tx.query(
      `SELECT ${TRIP_COLUMNS}, ${PREFIXED_OFFER_COLUMNS}
       ${TRIP_FROM}
       LEFT JOIN trip_offers o
         ON o.trip_id = t.id AND o.status = 'PENDING' AND o.driver_id = ANY($1::uuid[])
       WHERE t.id IN (
         SELECT id FROM trips WHERE driver_id = ANY($1::uuid[]) AND status = ANY($2)
         UNION ALL
         SELECT trip_id FROM trip_offers WHERE driver_id = ANY($1::uuid[]) AND status = 'PENDING')
       ORDER BY t.created_at`,
      [driverIds, OPEN_STATES],
    );
    const sessions = new Map<string, DriverSession>();
    const sessionOf = (driverId: string) => {
      let session = sessions.get(driverId);
      if (!session) sessions.set(driverId, (session = { openTrip: null, pending: null }));
      return session;
    };
    for (const row of rows) {
      const trip = toTripRecord(row);
      if (row.offer_id) {
        const offer = toOffer(unprefixed(row));
        sessionOf(offer.driverId).pending = { offer, trip };
      } else if (trip.driverId) {
        // Oldest first, so the newest open trip is the one kept.
        sessionOf(trip.driverId).openTrip = trip;
      }
    }
    return sessions;
  }

  async findForDriver(tripId: string, driverId: string): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.tx.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE trip_id = $1 AND driver_id = $2`,
      [tripId, driverId],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  async findById(offerId: string): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.tx.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers WHERE id = $1`,
      [offerId],
    );
    return rows[0] ? toOffer(rows[0]) : null;
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
  ): Promise<Offer | null> {
    const rows: OfferRow[] = await this.db.tx.query(
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
    const rows: OfferRow[] = await this.db.tx.query(
      `SELECT ${OFFER_COLUMNS} FROM trip_offers
       WHERE status = 'PENDING' AND expires_at < clock_timestamp() - $1 * interval '1 millisecond'
       ORDER BY expires_at LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map(toOffer);
  }

  /**
   * Of these REQUESTED trips, the ones whose matching is alive: a pending offer, or a round or
   * an offer answer after `since`. The sweeper restarts the others.
   */
  async activeSince(tripIds: readonly string[], since: Date): Promise<Set<string>> {
    if (tripIds.length === 0) return new Set();
    const rows: { trip_id: string }[] = await this.db.tx.query(
      `SELECT trip_id FROM trip_offers WHERE trip_id = ANY($1)
         AND (status = 'PENDING' OR coalesce(responded_at, offered_at) > $2)
       UNION
       SELECT trip_id FROM dispatch_rounds WHERE trip_id = ANY($1) AND created_at > $2`,
      [tripIds, since],
    );
    return new Set(rows.map((r) => r.trip_id));
  }

  async recordRound(round: {
    tripId: string;
    round: number;
    radiusMeters: number;
    candidates: LoggedCandidate[];
    outcome: string;
  }): Promise<void> {
    await this.db.tx.query(
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
}

function unprefixed(row: Record<string, unknown>): OfferRow {
  const offer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('offer_')) offer[key.slice('offer_'.length)] = value;
  }
  return offer as unknown as OfferRow;
}
