import { Role } from '@app/contracts';

/** Who is calling: the verified subject of an access token. Services take it first. */
export interface Actor {
  id: string;
  role: Role;
}

export interface AccessTokenClaims {
  sub: string;
  role: Role;
}
