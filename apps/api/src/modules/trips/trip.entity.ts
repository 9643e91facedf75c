import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Point } from 'geojson';
import { CabType, PaymentMethod, TripStatus } from '@app/contracts';
import { numeric } from '../../database/numeric-transformer';

@Entity('trips')
export class TripEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') riderId!: string;
  @Column('uuid', { nullable: true }) driverId!: string | null;
  @Column('uuid', { nullable: true }) vehicleId!: string | null;
  @Column('text') cabType!: CabType;
  @Column('text') status!: TripStatus;
  @Column('geography', { spatialFeatureType: 'Point', srid: 4326 }) pickup!: Point;
  @Column('geography', { spatialFeatureType: 'Point', srid: 4326 }) dropoff!: Point;
  @Column('text') paymentMethod!: PaymentMethod;
  @Column('integer') quoteFareMinor!: number;
  @Column('numeric', { precision: 4, scale: 2, default: 1, transformer: numeric() })
  surgeMultiplier!: number;
  @Column('char', { length: 3 }) currency!: string;
  @Column('integer', { nullable: true }) fareMinor!: number | null;
  @Column('integer', { nullable: true }) distanceMeters!: number | null;
  @Column('integer', { nullable: true }) durationSeconds!: number | null;
  @Column('char', { length: 4, nullable: true }) pickupCode!: string | null;
  @Column('text', { nullable: true }) cancelReason!: string | null;
  @Column('text', { nullable: true }) cancelledBy!: string | null;
  @Column('text', { nullable: true }) idempotencyKey!: string | null;
  @Column('timestamptz', { nullable: true }) assignedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) arrivedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) endedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('trip_events')
export class TripEventEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tripId!: string;
  @Column('text', { nullable: true }) fromStatus!: TripStatus | null;
  @Column('text') toStatus!: TripStatus;
  @Column('text') actorRole!: string;
  @Column('uuid', { nullable: true }) actorId!: string | null;
  @Column('jsonb', { default: {} }) data!: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

@Entity('ratings')
export class RatingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tripId!: string;
  /** Which side rated: `rider` rates the driver, `driver` rates the rider. */
  @Column('text') raterRole!: 'rider' | 'driver';
  @Column('uuid') raterId!: string;
  @Column('uuid') rateeId!: string;
  @Column('smallint') rating!: number;
  @Column('text', { nullable: true }) feedback!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
