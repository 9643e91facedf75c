import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Role } from '@app/contracts';
import { DomainError } from '../errors/domain-error';
import { Actor } from './actor';
import { IS_PUBLIC, ROLES } from './decorators';
import { bearerToken, TokenService } from './token.service';

/** Global guard: authenticated by default, `@Public()` to opt out, `@Roles()` to narrow. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const actor = this.tokens.verify(bearerToken(request.headers.authorization));
    request.actor = actor;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(actor.role)) {
      throw DomainError.forbidden(`this route is for ${roles.join(' or ')} accounts`);
    }
    return true;
  }
}
