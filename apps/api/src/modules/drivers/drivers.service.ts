import { Injectable } from '@nestjs/common';
import { DriverView } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { DomainError } from '../../common/errors/domain-error';
import type { Credentials } from '../riders/riders.repository';
import { batchedLookup } from '../../common/batching/batched-lookup';
import { DriversRepository, LiveProfile, NewDriver } from './drivers.repository';

@Injectable()
export class DriversService {
  /** Drivers going online together (a reconnect storm) share their profile queries. */
  private readonly liveProfiles = batchedLookup((ids: readonly string[]) =>
    this.drivers.findLiveProfiles(ids),
  );

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

  /** What dispatch needs when the driver goes online (batched with others; never cached). */
  findLiveProfile(id: string): Promise<LiveProfile | null> {
    return this.liveProfiles(id);
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.drivers.findCredentials(email);
  }
}
