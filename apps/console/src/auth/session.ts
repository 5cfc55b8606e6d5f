import createClient from 'openapi-fetch';
import type { paths } from '../api/schema';

/** Who is signed in, as Vigil read their token (the API checks the token on every call; this only shapes the page). */
export interface User {
  userId: string;
  name: string;
  role: string;
  sites: string[];
}

export interface Session {
  token: string;
  user: User;
  /** Seconds since the epoch when the token expires, when it says. */
  expiresAt?: number;
  mode: 'embedded' | 'oidc';
  demo: boolean;
}

const KEY = 'vigil.session';

/** Reads a JWT's claims (no verification: that is the API's job). */
function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('This is not a token (a JWT has three parts separated by dots).');
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  if (typeof claims !== 'object' || claims === null) throw new Error('The token carries no claims.');
  return claims;
}

/**
 * Signs in with a token: Vigil says who it names (`GET /me`), with the role and sites read at the claims the
 * deployment configured (VIGIL_JWT_ROLE_CLAIM, VIGIL_JWT_SITES_CLAIM: Keycloak's `realm_access.roles`…),
 * which the console could not know. A token Vigil refuses is refused here, with Vigil's reason.
 */
export async function sessionFor(token: string, mode: Session['mode'], demo: boolean): Promise<Session> {
  const bearer = token.trim();
  const expiresAt = claimsOf(bearer).exp;
  if (typeof expiresAt === 'number' && expiresAt * 1000 < Date.now()) throw new Error('This token has expired: mint a new one.');
  const { data, error, response } = await createClient<paths>({ baseUrl: location.origin }).GET('/me', { headers: { Authorization: `Bearer ${bearer}` } });
  if (!data) {
    const reason = (error as { message?: unknown } | undefined)?.message;
    throw new Error(`Vigil refused this token (${response.status}): ${typeof reason === 'string' ? reason : response.statusText}.`);
  }
  return { token: bearer, user: { ...data, sites: [...data.sites] }, expiresAt: typeof expiresAt === 'number' ? expiresAt : undefined, mode, demo };
}

/** Kept for the browser tab only (sessionStorage): closing the tab signs out. */
export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export function savedSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!session || (session.expiresAt !== undefined && session.expiresAt * 1000 < Date.now())) return null;
    return session;
  } catch {
    return null;
  }
}

/** What the console offers each role: the API enforces the same and more (docs: the permission matrix). */
export const may = {
  acknowledge: (user: User) => user.role === 'safety_officer' || user.role === 'admin',
  seeProjections: (user: User) => user.role === 'data_manager' || user.role === 'admin',
  rebuild: (user: User) => user.role === 'data_manager' || user.role === 'admin',
  seeAccessLog: (user: User) => ['monitor', 'data_manager', 'admin'].includes(user.role),
};

export const ROLE_NAMES: Record<string, string> = {
  safety_officer: 'Safety officer',
  monitor: 'Monitor',
  investigator: 'Investigator',
  data_manager: 'Data manager',
  admin: 'Administrator',
};
export const roleName = (role: string): string => ROLE_NAMES[role] ?? role;
