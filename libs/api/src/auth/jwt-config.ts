/**
 * How tokens are verified. The embedded default signs and verifies its own tokens (HS256, one secret
 * shared by the server and the CLI); production verifies an OIDC issuer's tokens against its JWKS.
 */
export type JwtConfig =
  | { mode: 'embedded'; /** From VIGIL_JWT_SECRET; when absent, the secret file in the data directory. */ secret?: string }
  | { mode: 'oidc'; jwksUrl: string; issuer: string; audience: string };

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
    return { mode: 'oidc', jwksUrl: url.toString(), issuer, audience };
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
