import type { Namespace, Socket } from 'socket.io';
import { Role } from '@app/contracts';
import { Actor } from './actor';
import { TokenService } from './token.service';

export type AuthedSocket = Socket & { data: { actor: Actor } };

/**
 * Handshake check for one namespace: a missing, bad or expired token, or a token of another
 * role, is refused with a `connect_error` whose message is `unauthorized` (API: Conventions).
 */
export function requireRole(namespace: Namespace, tokens: TokenService, role: Role): void {
  namespace.use((socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const actor = tokens.verify(typeof token === 'string' ? token : undefined);
      if (actor.role !== role) throw new Error('wrong role');
      (socket as AuthedSocket).data.actor = actor;
      next();
    } catch {
      next(new Error('unauthorized'));
    }
  });
}

/** A room per account, so a service can reach every socket of one user. */
export function actorRoom(actor: Actor): string {
  return `${actor.role}:${actor.id}`;
}
