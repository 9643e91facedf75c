import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CabType, DriverView } from '@app/contracts';
import { DomainError } from '../../common/errors/domain-error';
import { isUniqueViolation } from '../../database/pg-errors';
import type { Credentials } from '../riders/riders.repository';
import { DriverEntity, VehicleEntity } from './driver.entity';

export interface LiveProfile {
  cabType: CabType;
  suspended: boolean;
}

export interface NewDriver {
  name: string;
  email: string;
  passwordHash: string;
  vehicle: { plate: string; model?: string; cabType: CabType };
}

@Injectable()
export class DriversRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The driver and the vehicle in one transaction: no driver without a cab. */
  async create(input: NewDriver): Promise<DriverView> {
    try {
      return await this.db.transaction(async (tx) => {
        const driver = await tx.save(
          tx.create(DriverEntity, {
            name: input.name,
            email: input.email.toLowerCase(),
            passwordHash: input.passwordHash,
          }),
        );
        driver.vehicle = await tx.save(
          tx.create(VehicleEntity, {
            driverId: driver.id,
            plate: normalizePlate(input.vehicle.plate),
            model: input.vehicle.model ?? null,
            cabType: input.vehicle.cabType,
          }),
        );
        return toDriverView(driver);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'drivers_email_key')) {
        throw DomainError.conflict('a driver with this email already exists');
      }
      if (isUniqueViolation(error, 'vehicles_plate_key')) {
        throw DomainError.conflict('a vehicle with this plate is already registered');
      }
      throw error;
    }
  }

  async findById(id: string): Promise<DriverView | null> {
    const driver = await this.db.getRepository(DriverEntity).findOne({ where: { id } });
    return driver && toDriverView(driver);
  }

  /** Rating and acceptance rate of each driver, for ranking match candidates. */
  async findScores(
    ids: string[],
  ): Promise<Map<string, { rating: number; acceptanceRate: number }>> {
    const rows: { id: string; rating: string; acceptance_rate: string }[] = await this.db.query(
      `SELECT id, rating, acceptance_rate FROM drivers WHERE id = ANY($1) AND suspended_at IS NULL`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        { rating: Number(r.rating), acceptanceRate: Number(r.acceptance_rate) },
      ]),
    );
  }

  /** Returns false when there is no such driver. */
  async setSuspended(id: string, suspended: boolean): Promise<boolean> {
    const result = await this.db
      .getRepository(DriverEntity)
      .update({ id }, { suspendedAt: suspended ? () => 'now()' : null });
    return (result.affected ?? 0) > 0;
  }

  /**
   * What live dispatch needs to know when drivers come online, many in one query (a storm of
   * drivers going online; see DriversService.findLiveProfile).
   */
  async findLiveProfiles(ids: readonly string[]): Promise<Map<string, LiveProfile>> {
    const rows: { id: string; cab_type: CabType; suspended: boolean }[] = await this.db.query(
      `SELECT d.id, v.cab_type, d.suspended_at IS NOT NULL AS suspended
       FROM drivers d JOIN vehicles v ON v.driver_id = d.id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { cabType: r.cab_type, suspended: r.suspended }]));
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    return this.db.getRepository(DriverEntity).findOne({
      where: { email: email.toLowerCase() },
      select: { id: true, passwordHash: true },
      relations: { vehicle: false },
    });
  }
}

export function normalizePlate(plate: string): string {
  return plate.replace(/[\s-]+/g, '').toUpperCase();
}

function toDriverView(driver: DriverEntity): DriverView {
  return {
    id: driver.id,
    name: driver.name,
    email: driver.email,
    rating: driver.rating,
    suspended: driver.suspendedAt !== null,
    vehicle: {
      id: driver.vehicle.id,
      plate: driver.vehicle.plate,
      model: driver.vehicle.model,
      cabType: driver.vehicle.cabType,
    },
    createdAt: driver.createdAt.toISOString(),
  };
}
