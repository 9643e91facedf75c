import { Injectable } from '@nestjs/common';
import { DriverView, LoginResult, Role, RiderView } from '@app/contracts';
import { PasswordHasher } from '../../common/auth/password-hasher';
import { TokenService } from '../../common/auth/token.service';
import { DomainError } from '../../common/errors/domain-error';
import { AdminAccountsService } from '../admin/admin-accounts.service';
import { DriversService } from '../drivers/drivers.service';
import type { Credentials } from '../riders/riders.repository';
import { RidersService } from '../riders/riders.service';
import { LoginDto, SignUpDriverDto, SignUpRiderDto } from './auth.dto';

/**
 * Verified against when the email is unknown, so a login takes as long either way: made with
 * the parameters new hashes get (PASSWORD_HASH_OPTIONS).
 */
const DECOY_HASH =
  '$argon2id$v=19$m=19456,p=1,t=2$R5c/FQhtX6hbKbo8jNWY8w$ueJg76UIflhLG5TlTGW38SB95SUYkspRbdV34yvMSdA';

@Injectable()
export class AuthService {
  constructor(
    private readonly riders: RidersService,
    private readonly drivers: DriversService,
    private readonly admins: AdminAccountsService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
  ) {}

  async signUpRider(input: SignUpRiderDto): Promise<{ rider: RiderView; accessToken: string }> {
    const { password, ...profile } = input;
    const rider = await this.riders.register({
      ...profile,
      passwordHash: await this.hasher.hash(password),
    });
    return { rider, accessToken: this.tokens.issue({ id: rider.id, role: Role.RIDER }) };
  }

  async signUpDriver(input: SignUpDriverDto): Promise<{ driver: DriverView; accessToken: string }> {
    const { password, ...profile } = input;
    const driver = await this.drivers.register({
      ...profile,
      passwordHash: await this.hasher.hash(password),
    });
    return { driver, accessToken: this.tokens.issue({ id: driver.id, role: Role.DRIVER }) };
  }

  /** Wrong email and wrong password look the same to the caller: 401. */
  async login(input: LoginDto): Promise<LoginResult> {
    const credentials = await this.findCredentials(input.role, input.email);
    const valid = await this.hasher.verify(credentials?.passwordHash ?? DECOY_HASH, input.password);
    if (!credentials || !valid) throw DomainError.unauthorized('wrong email or password');
    const actor = { id: credentials.id, role: input.role };
    return { accessToken: this.tokens.issue(actor), role: actor.role, id: actor.id };
  }

  private findCredentials(role: Role, email: string): Promise<Credentials | null> {
    switch (role) {
      case Role.RIDER:
        return this.riders.findCredentials(email);
      case Role.DRIVER:
        return this.drivers.findCredentials(email);
      case Role.ADMIN:
        return this.admins.findCredentials(email);
    }
  }
}
