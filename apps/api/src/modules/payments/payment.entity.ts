import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { PaymentMethod, PaymentStatus } from '@app/contracts';

@Entity('payments')
export class PaymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Unique: a trip is charged at most once. */
  @Column('uuid') tripId!: string;
  @Column('uuid') riderId!: string;
  @Column('text') method!: PaymentMethod;
  @Column('text') status!: PaymentStatus;
  @Column('integer') amountMinor!: number;
  @Column('char', { length: 3 }) currency!: string;
  @Column('text') provider!: string;
  @Column('text', { nullable: true }) providerRef!: string | null;
  /** Time of the newest provider event applied; older or replayed events change nothing. */
  @Column('timestamptz', { nullable: true }) lastEventAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
