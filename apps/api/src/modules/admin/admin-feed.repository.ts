import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FeedTrip, TripStatus } from '@app/contracts';

const OPEN_STATUSES: TripStatus[] = [
  TripStatus.REQUESTED,
  TripStatus.DRIVER_ASSIGNED,
  TripStatus.DRIVER_ARRIVED,
  TripStatus.IN_PROGRESS,
];

/** Open trips for the dashboard's map, as compact tuples; read-only. */
@Injectable()
export class AdminFeedRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async openTrips(limit: number): Promise<FeedTrip[]> {
    const rows: {
      id: string;
      status: TripStatus;
      driver_id: string | null;
      pickup_lat: number;
      pickup_lng: number;
      dropoff_lat: number;
      dropoff_lng: number;
    }[] = await this.db.query(
      `SELECT id, status, driver_id,
              ST_Y(pickup::geometry) AS pickup_lat, ST_X(pickup::geometry) AS pickup_lng,
              ST_Y(dropoff::geometry) AS dropoff_lat, ST_X(dropoff::geometry) AS dropoff_lng
       FROM trips WHERE status = ANY($1)
       ORDER BY created_at DESC LIMIT $2`,
      [OPEN_STATUSES, limit],
    );
    return rows.map((r) => [
      r.id,
      r.status,
      r.driver_id,
      r.pickup_lat,
      r.pickup_lng,
      r.dropoff_lat,
      r.dropoff_lng,
    ]);
  }
}
