import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RiderView } from '@app/contracts';
import { DomainError } from '../../common/errors/domain-error';
import { isUniqueViolation } from '../../database/pg-errors';
import { RiderEntity } from './rider.entity';

export interface NewRider {
  name: string;
  email: string;
  phone?: string;
  passwordHash: string;
}

export interface Credentials {
  id: string;
  passwordHash: string;
}

@Injectable()
export class RidersRepository {
  constructor(@InjectRepository(RiderEntity) private readonly riders: Repository<RiderEntity>) {}

  async create(input: NewRider): Promise<RiderView> {
    try {
      const saved = await this.riders.save(
        this.riders.create({
          ...input,
          email: input.email.toLowerCase(),
          phone: input.phone ?? null,
        }),
      );
      return toRiderView(saved);
    } catch (error) {
      if (isUniqueViolation(error, 'riders_email_key')) {
        throw DomainError.conflict('a rider with this email already exists');
      }
      throw error;
    }
  }

  async findById(id: string): Promise<RiderView | null> {
    const rider = await this.riders.findOneBy({ id });
    return rider && toRiderView(rider);
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    return this.riders.findOne({
      where: { email: email.toLowerCase() },
      select: { id: true, passwordHash: true },
    });
  }
}

function toRiderView(rider: RiderEntity): RiderView {
  return {
    id: rider.id,
    name: rider.name,
    email: rider.email,
    phone: rider.phone,
    rating: rider.rating,
    createdAt: rider.createdAt.toISOString(),
  };
}
