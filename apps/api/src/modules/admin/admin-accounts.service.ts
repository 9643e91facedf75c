import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PasswordHasher } from '../../common/auth/password-hasher';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { Credentials } from '../riders/riders.repository';
import { AdminRepository } from './admin.repository';

/** The admin account comes from ADMIN_EMAIL / ADMIN_PASSWORD, created or refreshed at start. */
@Injectable()
export class AdminAccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminAccountsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly admins: AdminRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.admin) return;
    const { email, password } = this.config.admin;
    const id = await this.admins.upsert(email, await this.hasher.hash(password));
    this.logger.log({ adminId: id, email }, 'admin account ready');
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.admins.findCredentials(email);
  }
}
