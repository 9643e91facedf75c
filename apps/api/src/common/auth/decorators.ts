import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Role } from '@app/contracts';
import { Actor } from './actor';

export const IS_PUBLIC = 'auth:public';
export const ROLES = 'auth:roles';

/** Opens a route to anonymous callers; every other route needs a valid token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts a route to some roles; a valid token of another role is 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
