import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Role, ROLES } from '@vigil/domain';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from './jwt-config';

export interface TokenRequest {
  sub: string;
  name: string;
  role: Role;
  sites: string[];
  /** Lifetime as jose reads it: "8h", "30m", "2 days"… (default 8h). */
  expiresIn?: string;
}

/** Mints an embedded-default token (HS256, Vigil's issuer and audience): the CLI's `token` command. */
export async function issueToken(secret: string, request: TokenRequest): Promise<string> {
  if (request.sub.trim() === '') throw new Error('--sub must name the user');
  if (!ROLES.includes(request.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}, not "${request.role}"`);
  const expiresIn = request.expiresIn ?? '8h';
  if (!/^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/i.test(expiresIn)) {
    throw new Error(`--expires must be a lifetime such as 30m, 8h or 7d, not "${expiresIn}"`);
  }
  return new SignJWT({ name: request.name, role: request.role, sites: request.sites })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(EMBEDDED_ISSUER)
    .setAudience(EMBEDDED_AUDIENCE)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
