import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../../common/auth/decorators';
import { AccountThrottlerGuard } from './account-throttler.guard';
import { LoginDto, SignUpDriverDto, SignUpRiderDto } from './auth.dto';
import { AuthService } from './auth.service';

/**
 * Public and rate-limited (AUTH_RATE_LIMIT per AUTH_RATE_WINDOW_SECONDS) per IP and per account:
 * every route here costs an argon2 hash.
 */
@ApiTags('auth')
@ApiTooManyRequestsResponse({ description: 'RATE_LIMITED' })
@Public()
@UseGuards(ThrottlerGuard, AccountThrottlerGuard)
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('riders')
  signUpRider(@Body() body: SignUpRiderDto) {
    return this.auth.signUpRider(body);
  }

  @Post('drivers')
  signUpDriver(@Body() body: SignUpDriverDto) {
    return this.auth.signUpDriver(body);
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto) {
    return this.auth.login(body);
  }
}
