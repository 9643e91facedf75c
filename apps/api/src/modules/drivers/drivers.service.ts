import { Injectable } from '@nestjs/common';
import { DriverView } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { DomainError } from '../../common/errors/domain-error';
import type { Credentials } from '../riders/riders.repository';
import { DriversRepository, NewDriver } from './drivers.repository';

@Injectable()
export class DriversService {
  constructor(private readonly drivers: DriversRepository) {}

  register(input: NewDriver): Promise<DriverView> {
    return this.drivers.create(input);
  }

  async me(actor: Actor): Promise<DriverView> {
    const driver = await this.drivers.findById(actor.id);
    if (!driver) throw DomainError.notFound('driver');
    return driver;
  }

  async setSuspended(id: string, suspended: boolean): Promise<DriverView> {
    if (!(await this.drivers.setSuspended(id, suspended))) throw DomainError.notFound('driver');
    return (await this.drivers.findById(id)) as DriverView;
  }

  findScores(ids: string[]) {
    return this.drivers.findScores(ids);
  }

  findLiveProfile(id: string) {
    return this.drivers.findLiveProfile(id);
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.drivers.findCredentials(email);
  }
}
