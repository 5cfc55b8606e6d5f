/**
 * How tokens are verified. The embedded default signs and verifies its own tokens (HS256, one secret
 * shared by the server and the CLI); production verifies an OIDC issuer's tokens against its JWKS.
 */
export type JwtConfig =
  | { mode: 'embedded'; /** From VIGIL_JWT_SECRET; when absent, the secret file in the data directory. */ secret?: string }
  | {
      mode: 'oidc';
      jwksUrl: string;
      issuer: string;
      audience: string;
      /** The issuer's keys are fetched again at least this often (a withdrawn key stops working by then). */
      jwksMaxAgeMs: number;
      /** Where the role and the sites are in the provider's tokens (token-claims.ts, `ClaimPaths`). */
      claims: ClaimPaths;
    };

/** Claim paths: a claim name (`role`, `https://vigil.example.org/role`) or a dot path into nested claims (`realm_access.roles`). */
export interface ClaimPaths {
  role: string;
  sites: string;
}

export const DEFAULT_CLAIM_PATHS: ClaimPaths = { role: 'role', sites: 'sites' };
/** jose's default (10 minutes) would let a withdrawn key sign for that long. */
export const DEFAULT_JWKS_MAX_AGE_MS = 60_000;

/** The token configuration cannot work; the message says what to set. */
export class JwtConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwtConfigError';
  }
}

/** Issuer and audience of the tokens the embedded default mints (`npm run vigil -- token`). */
export const EMBEDDED_ISSUER = 'vigil';
export const EMBEDDED_AUDIENCE = 'vigil-api';

/** A secret shorter than this is refused: HS256 wants at least 256 bits (RFC 7518 §3.2). */
export const MIN_SECRET_LENGTH = 32;

export function jwtConfigFromEnv(env: NodeJS.ProcessEnv = process.env): JwtConfig {
  const jwksUrl = env.VIGIL_JWT_JWKS_URL?.trim();
  const secret = env.VIGIL_JWT_SECRET;
  if (jwksUrl) {
    if (secret) throw new JwtConfigError('set either VIGIL_JWT_SECRET (embedded tokens) or VIGIL_JWT_JWKS_URL (OIDC issuer), not both');
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new JwtConfigError(`VIGIL_JWT_JWKS_URL must be a URL, got "${jwksUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new JwtConfigError('VIGIL_JWT_JWKS_URL must be an http(s) URL');
    const issuer = env.VIGIL_JWT_ISSUER?.trim();
    const audience = env.VIGIL_JWT_AUDIENCE?.trim();
    if (!issuer) throw new JwtConfigError('VIGIL_JWT_ISSUER is required with VIGIL_JWT_JWKS_URL: tokens of any other issuer are refused');
    if (!audience) throw new JwtConfigError('VIGIL_JWT_AUDIENCE is required with VIGIL_JWT_JWKS_URL: tokens meant for another API are refused');
    return { mode: 'oidc', jwksUrl: url.toString(), issuer, audience, jwksMaxAgeMs: jwksMaxAge(env), claims: claimPaths(env) };
  }
  for (const name of ['VIGIL_JWT_ROLE_CLAIM', 'VIGIL_JWT_SITES_CLAIM', 'VIGIL_JWT_JWKS_MAX_AGE_MS']) {
    if (env[name]) throw new JwtConfigError(`${name} applies to an OIDC issuer's tokens: set it with VIGIL_JWT_JWKS_URL, or leave it unset`);
  }
  if (secret !== undefined) {
    assertStrongSecret(secret, 'VIGIL_JWT_SECRET');
    return { mode: 'embedded', secret };
  }
  return { mode: 'embedded' };
}

export function assertStrongSecret(secret: string, where: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new JwtConfigError(`${where} must be at least ${MIN_SECRET_LENGTH} characters (HS256 needs 256 bits); leave it unset to have Vigil generate one`);
  }
}

function jwksMaxAge(env: NodeJS.ProcessEnv): number {
  const raw = env.VIGIL_JWT_JWKS_MAX_AGE_MS?.trim();
  if (!raw) return DEFAULT_JWKS_MAX_AGE_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1000)
    throw new JwtConfigError(`VIGIL_JWT_JWKS_MAX_AGE_MS must be a whole number of milliseconds ≥ 1000, got "${raw}"`);
  return value;
}

function claimPaths(env: NodeJS.ProcessEnv): ClaimPaths {
  const path = (name: string, fallback: string): string => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (raw.split('.').some((part) => part === ''))
      throw new JwtConfigError(`${name} must be a claim name or a dot path such as realm_access.roles, got "${raw}"`);
    return raw;
  };
  return { role: path('VIGIL_JWT_ROLE_CLAIM', DEFAULT_CLAIM_PATHS.role), sites: path('VIGIL_JWT_SITES_CLAIM', DEFAULT_CLAIM_PATHS.sites) };
}
