import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DispatchCandidate, OfferOutcome } from '@app/contracts';
import { TripRecord } from '../trips/trip.model';
import { TripListFilter, tripListQuery, toTripRecord, TripRow } from '../trips/trip.sql';

/**
 * Read-only views of trips for operators: any trip by filter, a trip's timeline of events,
 * and its dispatch log (each round's candidates and each offer's outcome). The tables belong
 * to trips and matching; this repository only reads them, with those modules' vocabularies.
 */
@Injectable()
export class AdminTripsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(filter: TripListFilter): Promise<TripRecord[]> {
    const { sql, params } = tripListQuery(filter);
    const rows: TripRow[] = await this.db.query(sql, params);
    return rows.map(toTripRecord);
  }

  async timeline(tripId: string) {
    const rows: {
      from_status: string | null;
      to_status: string;
      actor_role: string;
      actor_id: string | null;
      data: Record<string, unknown>;
      created_at: Date;
    }[] = await this.db.query(
      `SELECT from_status, to_status, actor_role, actor_id, data, created_at
       FROM trip_events WHERE trip_id = $1 ORDER BY created_at, id`,
      [tripId],
    );
    return rows.map((r) => ({
      from: r.from_status,
      to: r.to_status,
      actor: { role: r.actor_role, id: r.actor_id },
      data: r.data,
      at: r.created_at.toISOString(),
    }));
  }

  /** Why a rider waited: every round with its candidates and decisions, every offer's outcome. */
  async dispatchLog(tripId: string) {
    const [rounds, offers]: [
      {
        round: number;
        radius_meters: number;
        candidates: DispatchCandidate[];
        outcome: string;
        created_at: Date;
      }[],
      {
        driver_id: string;
        round: number;
        score: string;
        pickup_eta_seconds: number;
        status: OfferOutcome;
        reason: string | null;
        offered_at: Date;
        expires_at: Date;
        responded_at: Date | null;
      }[],
    ] = await Promise.all([
      this.db.query(
        `SELECT round, radius_meters, candidates, outcome, created_at FROM dispatch_rounds
         WHERE trip_id = $1 ORDER BY created_at`,
        [tripId],
      ),
      this.db.query(
        `SELECT driver_id, round, score, pickup_eta_seconds, status, reason, offered_at,
                expires_at, responded_at
         FROM trip_offers WHERE trip_id = $1 ORDER BY offered_at`,
        [tripId],
      ),
    ]);
    return {
      rounds: rounds.map((r) => ({
        round: r.round,
        radiusMeters: r.radius_meters,
        outcome: r.outcome,
        candidates: r.candidates,
        at: r.created_at.toISOString(),
      })),
      offers: offers.map((o) => ({
        driverId: o.driver_id,
        round: o.round,
        score: Number(o.score),
        pickupEtaSeconds: o.pickup_eta_seconds,
        outcome: o.status,
        reason: o.reason,
        offeredAt: o.offered_at.toISOString(),
        expiresAt: o.expires_at.toISOString(),
        respondedAt: o.responded_at?.toISOString() ?? null,
      })),
    };
  }
}
