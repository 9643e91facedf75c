import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Role } from '@app/contracts';
import { DomainError } from '../errors/domain-error';
import { AccessTokenClaims, Actor } from './actor';

const ROLES: readonly string[] = Object.values(Role);

/** Issues and verifies access tokens; the one place that knows the JWT claims. */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(actor: Actor): string {
    const claims: AccessTokenClaims = { sub: actor.id, role: actor.role };
    return this.jwt.sign(claims);
  }

  /** The actor behind a token, or DomainError UNAUTHORIZED (bad, expired, or missing). */
  verify(token: string | undefined): Actor {
    if (!token) throw DomainError.unauthorized('missing access token');
    let claims: Partial<AccessTokenClaims>;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token);
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw DomainError.unauthorized(expired ? 'access token expired' : 'invalid access token');
    }
    if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role as string)) {
      throw DomainError.unauthorized('invalid access token');
    }
    return { id: claims.sub, role: claims.role as Role };
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
