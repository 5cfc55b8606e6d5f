import type { JWTPayload } from 'jose';
import { Actor, Role, ROLES } from '@vigil/domain';
import { ClaimPaths, DEFAULT_CLAIM_PATHS } from './jwt-config';

/** The claims a Vigil token carries: who (`sub`, `name`), in which role, for which sites. */
export interface VigilClaims {
  sub: string;
  name: string;
  role: Role;
  sites: string[];
}

/** A verified token whose claims do not make a Vigil user. */
export class InvalidClaimsError extends Error {}

/**
 * Turns verified claims into the acting user; anything missing or unknown is refused, never guessed.
 * The role and the sites are read where the provider puts them (`paths`, VIGIL_JWT_ROLE_CLAIM and
 * VIGIL_JWT_SITES_CLAIM). A list of roles (`roles`, Keycloak's `realm_access.roles`) names the one Vigil
 * role it contains; the provider's other roles (`offline_access`…) are ignored; two Vigil roles are refused.
 */
export function actorFromClaims(payload: JWTPayload, paths: ClaimPaths = DEFAULT_CLAIM_PATHS): Actor {
  const { sub } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.trim() === '') throw new InvalidClaimsError('token has no subject (sub claim)');
  const role = roleOf(claimAt(payload, paths.role), paths.role);
  return { userId: sub, name: nameOf(payload, sub), role, sites: sitesOf(claimAt(payload, paths.sites), paths.sites) };
}

/** The claim at `path`: a claim of that exact name (namespaced claims are URLs, dots included), else the dot path into nested claims. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const isVigilRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

function roleOf(role: unknown, path: string): Role {
  if (role === undefined) throw new InvalidClaimsError(`token has no role claim${path === DEFAULT_CLAIM_PATHS.role ? '' : ` (${path})`}`);
  if (Array.isArray(role)) {
    const vigilRoles = [...new Set(role.filter(isVigilRole))];
    if (vigilRoles.length === 1) return vigilRoles[0];
    if (vigilRoles.length === 0) throw new InvalidClaimsError(`token roles ${JSON.stringify(role)} (${path}) include no Vigil role (${ROLES.join(', ')})`);
    throw new InvalidClaimsError(
      `token roles (${path}) include several Vigil roles (${vigilRoles.join(', ')}): a Vigil user has exactly one; ` +
        "ask the identity provider's administrator to keep one",
    );
  }
  if (!isVigilRole(role)) throw new InvalidClaimsError(`token role ${JSON.stringify(role)} is not a Vigil role (${ROLES.join(', ')})`);
  return role;
}

function nameOf(payload: JWTPayload, sub: string): string {
  for (const claim of ['name', 'preferred_username']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return sub;
}

function sitesOf(sites: unknown, path: string): string[] {
  if (sites === undefined) return [];
  if (!Array.isArray(sites) || !sites.every((site) => typeof site === 'string' && site !== '')) {
    throw new InvalidClaimsError(`token sites claim (${path}) must be a list of site ids`);
  }
  return [...new Set(sites as string[])];
}
