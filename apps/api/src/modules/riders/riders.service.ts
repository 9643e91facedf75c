import { Injectable } from '@nestjs/common';
import { RiderView } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { DomainError } from '../../common/errors/domain-error';
import { Credentials, NewRider, RidersRepository } from './riders.repository';

@Injectable()
export class RidersService {
  constructor(private readonly riders: RidersRepository) {}

  register(input: NewRider): Promise<RiderView> {
    return this.riders.create(input);
  }

  async me(actor: Actor): Promise<RiderView> {
    const rider = await this.riders.findById(actor.id);
    if (!rider) throw DomainError.notFound('rider');
    return rider;
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.riders.findCredentials(email);
  }
}
