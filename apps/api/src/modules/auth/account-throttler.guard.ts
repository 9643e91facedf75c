import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * The auth rate limit counted per account as well as per IP: the same AUTH_RATE_LIMIT per
 * AUTH_RATE_WINDOW_SECONDS, keyed by the email the request names, so guessing one account's
 * password from many addresses is bounded too, and each attempt's argon2 hash with it. It runs
 * before validation: any body is tolerated (no email: one shared key, which only garbage uses).
 */
@Injectable()
export class AccountThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const email = (req.body as { email?: unknown } | undefined)?.email;
    return `account:${typeof email === 'string' ? email.trim().toLowerCase().slice(0, 320) : ''}`;
  }
}
