import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { CabType, LatLng } from '@app/contracts';
import type { Db } from '../../common/transactions/unit-of-work';

export interface QuoteRecord {
  id: string;
  riderId: string | null;
  cabType: CabType;
  pickup: LatLng;
  dropoff: LatLng;
  fareMinor: number;
  currency: string;
  surgeMultiplier: number;
  distanceMeters: number;
  durationSeconds: number;
  createdAt: Date;
  expiresAt: Date;
}

export type NewQuote = Omit<QuoteRecord, 'id'>;

/** Quotes: the price a rider was shown, which a trip may lock; also the demand surge counts. */
@Injectable()
export class QuotesRepository {
  constructor(@InjectTransactionHost() private readonly db: Db) {}

  async insertMany(quotes: readonly NewQuote[]): Promise<string[]> {
    const rows: { id: string }[] = await this.db.tx.query(
      `INSERT INTO quotes (rider_id, cab_type, pickup, dropoff, fare_minor, currency,
                           surge_multiplier, distance_meters, duration_seconds, created_at, expires_at)
       SELECT q.rider_id, q.cab_type,
              ST_SetSRID(ST_MakePoint(q.pickup_lng, q.pickup_lat), 4326)::geography,
              ST_SetSRID(ST_MakePoint(q.dropoff_lng, q.dropoff_lat), 4326)::geography,
              q.fare_minor, q.currency, q.surge, q.distance, q.duration, q.created_at, q.expires_at
       FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
                   $7::int[], $8::text[], $9::numeric[], $10::int[], $11::int[],
                   $12::timestamptz[], $13::timestamptz[]) WITH ORDINALITY
         AS q(rider_id, cab_type, pickup_lat, pickup_lng, dropoff_lat, dropoff_lng, fare_minor,
              currency, surge, distance, duration, created_at, expires_at, n)
       ORDER BY q.n
       RETURNING id`,
      [
        quotes.map((q) => q.riderId),
        quotes.map((q) => q.cabType),
        quotes.map((q) => q.pickup.lat),
        quotes.map((q) => q.pickup.lng),
        quotes.map((q) => q.dropoff.lat),
        quotes.map((q) => q.dropoff.lng),
        quotes.map((q) => q.fareMinor),
        quotes.map((q) => q.currency),
        quotes.map((q) => q.surgeMultiplier),
        quotes.map((q) => q.distanceMeters),
        quotes.map((q) => q.durationSeconds),
        quotes.map((q) => q.createdAt),
        quotes.map((q) => q.expiresAt),
      ],
    );
    return rows.map((r) => r.id);
  }

  async findById(id: string): Promise<QuoteRecord | null> {
    const rows: {
      id: string;
      rider_id: string | null;
      cab_type: CabType;
      pickup_lat: number;
      pickup_lng: number;
      dropoff_lat: number;
      dropoff_lng: number;
      fare_minor: number;
      currency: string;
      surge_multiplier: string;
      distance_meters: number;
      duration_seconds: number;
      created_at: Date;
      expires_at: Date;
    }[] = await this.db.tx.query(
      `SELECT id, rider_id, cab_type, fare_minor, currency, surge_multiplier, distance_meters,
              duration_seconds, created_at, expires_at,
              ST_Y(pickup::geometry) AS pickup_lat, ST_X(pickup::geometry) AS pickup_lng,
              ST_Y(dropoff::geometry) AS dropoff_lat, ST_X(dropoff::geometry) AS dropoff_lng
       FROM quotes WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      riderId: r.rider_id,
      cabType: r.cab_type,
      pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
      dropoff: { lat: r.dropoff_lat, lng: r.dropoff_lng },
      fareMinor: r.fare_minor,
      currency: r.currency.trim(),
      surgeMultiplier: Number(r.surge_multiplier),
      distanceMeters: r.distance_meters,
      durationSeconds: r.duration_seconds,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
  }
}
