import { numeric } from '../../database/numeric-transformer';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity('riders')
export class RiderEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  /** Stored lower-cased; unique. */
  @Column('text') email!: string;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text') passwordHash!: string;
  @Column('numeric', { precision: 3, scale: 2, default: 5, transformer: numeric() })
  rating!: number;
  @Column('integer', { default: 0 }) ratingCount!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
