import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryGeneratedColumn,
  Relation,
  UpdateDateColumn,
} from 'typeorm';
import { CabType } from '@app/contracts';
import { numeric } from '../../database/numeric-transformer';

@Entity('drivers')
export class DriverEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') email!: string;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text') passwordHash!: string;
  @Column('numeric', { precision: 3, scale: 2, default: 5, transformer: numeric() })
  rating!: number;
  @Column('integer', { default: 0 }) ratingCount!: number;
  @Column('numeric', { precision: 4, scale: 3, default: 1, transformer: numeric() })
  acceptanceRate!: number;
  @Column('timestamptz', { nullable: true }) suspendedAt!: Date | null;
  @OneToOne(() => VehicleEntity, (vehicle) => vehicle.driver, { eager: true })
  vehicle!: Relation<VehicleEntity>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('vehicles')
export class VehicleEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') driverId!: string;
  @OneToOne(() => DriverEntity, (driver) => driver.vehicle, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'driver_id' })
  driver!: Relation<DriverEntity>;
  /** Stored upper-cased without spaces; unique. */
  @Column('text') plate!: string;
  @Column('text', { nullable: true }) model!: string | null;
  @Column('text') cabType!: CabType;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
