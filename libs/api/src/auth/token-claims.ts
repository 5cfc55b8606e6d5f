import type { JWTPayload } from 'jose';
import { Actor, Role, ROLES } from '@vigil/domain';

/** The claims a Vigil token carries: who (`sub`, `name`), in which role, for which sites. */
export interface VigilClaims {
  sub: string;
  name: string;
  role: Role;
  sites: string[];
}

/** A verified token whose claims do not make a Vigil user. */
export class InvalidClaimsError extends Error {}

/** Turns verified claims into the acting user; anything missing or unknown is refused, never guessed. */
export function actorFromClaims(payload: JWTPayload): Actor {
  const { sub, role, sites } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.trim() === '') throw new InvalidClaimsError('token has no subject (sub claim)');
  if (role === undefined) throw new InvalidClaimsError('token has no role claim');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new InvalidClaimsError(`token role ${JSON.stringify(role)} is not a Vigil role (${ROLES.join(', ')})`);
  }
  return { userId: sub, name: nameOf(payload, sub), role: role as Role, sites: sitesOf(sites) };
}

function nameOf(payload: JWTPayload, sub: string): string {
  for (const claim of ['name', 'preferred_username']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return sub;
}

function sitesOf(sites: unknown): string[] {
  if (sites === undefined) return [];
  if (!Array.isArray(sites) || !sites.every((site) => typeof site === 'string' && site !== '')) {
    throw new InvalidClaimsError('token sites claim must be a list of site ids');
  }
  return [...new Set(sites as string[])];
}
