import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Kept for the money issue (#10, open), which builds ratings on this table; trips and trip
 * events are read and written by SQL in `trips.repository.ts`, so they have no entity.
 */
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
