import { ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, errors, type ExportedJWKSCache, type JWTHeaderParameters, jwksCache, JWTPayload, jwtVerify } from 'jose';
import type { Actor } from '@vigil/domain';
import type { IdentitySource } from '../identity/identity.guard';
import { ClaimPaths, DEFAULT_CLAIM_PATHS, DEFAULT_JWKS_MAX_AGE_MS, EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, JwtConfig } from './jwt-config';
import { resolveJwtSecret } from './jwt-secret';
import { actorFromClaims, InvalidClaimsError } from './token-claims';

/** A verified token's claims, and when the keys that verified it stop being trusted (ms; none for the embedded secret). */
type Verify = (token: string) => Promise<{ payload: JWTPayload; keysTrustedUntil?: number }>;

const VERIFIED_TOKEN_TTL_MS = 60_000;
/** A token signed with a key not (yet) in the cached JWKS fetches it again at once, but at most this often. */
export const JWKS_REFETCH_COOLDOWN_MS = 1_000;
const VERIFIED_TOKEN_CACHE = 10_000;

/** The `exp` of a token that has just been verified, in ms. */
function decodedExpiry(token: string): number | undefined {
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/** Tolerated clock difference between Vigil and whoever issued the token. */
const CLOCK_TOLERANCE_S = 5;
/** Algorithms accepted from an OIDC issuer: asymmetric only, so holding the JWKS lets no one sign. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'];

/**
 * The acting user from `Authorization: Bearer <JWT>`, verified with jose. Every failure is a 401 that
 * says what is wrong (expired, unsigned, wrongly signed, malformed, no or unknown role); an issuer
 * whose keys cannot be fetched is a 503, not the user's fault.
 */
export class JwtIdentity implements IdentitySource {
  /** Verified tokens, kept briefly: every request of a busy client carries the same token. */
  private readonly verified = new Map<string, { actor: Actor; until: number }>();

  private constructor(
    private readonly verify: Verify,
    private readonly expectedAlgorithms: string[],
    private readonly claims: ClaimPaths = DEFAULT_CLAIM_PATHS,
    /** How long a verified token is taken on trust: never longer than the keys are cached. */
    private readonly verifiedTtlMs = VERIFIED_TOKEN_TTL_MS,
  ) {}

  /** Embedded default: HS256 tokens minted by `npm run vigil -- token` with the shared secret. */
  static withSecret(secret: string): JwtIdentity {
    const key = new TextEncoder().encode(secret);
    const algorithms = ['HS256'];
    const verify: Verify = async (token) => {
      // Tokens minted by `npm run vigil -- token` always expire; a token signed with the deployment's own
      // secret by another tool may leave `exp` out (an `exp` that has passed is still refused).
      const { payload } = await jwtVerify(token, key, { algorithms, requiredClaims: ['sub'], clockTolerance: CLOCK_TOLERANCE_S });
      // Only Vigil holds the secret, so issuer and audience may be left out; a token that names others is refused.
      if (payload.iss !== undefined && payload.iss !== EMBEDDED_ISSUER)
        throw new errors.JWTClaimValidationFailed('unexpected "iss" claim value', payload, 'iss', 'check_failed');
      const audiences = payload.aud === undefined ? [EMBEDDED_AUDIENCE] : ([] as string[]).concat(payload.aud);
      if (!audiences.includes(EMBEDDED_AUDIENCE)) throw new errors.JWTClaimValidationFailed('unexpected "aud" claim value', payload, 'aud', 'check_failed');
      return { payload };
    };
    return new JwtIdentity(verify, algorithms);
  }

  /**
   * Production: an OIDC issuer's RS256/ES256 tokens, checked against its JWKS, issuer and audience.
   * The keys are fetched again when older than `jwksMaxAgeMs` (a withdrawn key stops signing by then), and
   * when a token names a key not among them (a rotation), at most once a second: a token arriving sooner after
   * a fetch waits for the rest of that second, and the keys are fetched again for it.
   */
  static withJwks(options: { jwksUrl: string; issuer: string; audience: string; jwksMaxAgeMs?: number; claims?: ClaimPaths }): JwtIdentity {
    const maxAgeMs = options.jwksMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
    // jose writes each fetch's time (`uat`) here: the key set a token was verified with goes stale maxAgeMs after it.
    const fetched: Partial<ExportedJWKSCache> = {};
    const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: maxAgeMs,
      [jwksCache]: fetched as Record<string, never>,
    });
    const keyFor = async (header: JWTHeaderParameters, token: Parameters<typeof keys>[1]) => {
      try {
        return await keys(header, token);
      } catch (error) {
        // jose refetches on an unknown key only when its last fetch is over a second old: this token waits for that
        // second to pass rather than being refused with keys fetched before it arrived (a rotation just after a fetch).
        if (!(error instanceof errors.JWKSNoMatchingKey) || !keys.coolingDown) throw error;
        const rest = (fetched.uat ?? 0) + JWKS_REFETCH_COOLDOWN_MS - Date.now();
        await new Promise((resolve) => setTimeout(resolve, Math.min(JWKS_REFETCH_COOLDOWN_MS, Math.max(0, rest)) + 1));
        return keys(header, token);
      }
    };
    const verify: Verify = async (token) => {
      let keysFetchedAt = 0;
      const { payload } = await jwtVerify(
        token,
        async (header, jws) => {
          const key = await keyFor(header, jws);
          // Read as the key is handed over: no fetch lands in between (its answer waits for these promise callbacks).
          keysFetchedAt = fetched.uat ?? 0;
          return key;
        },
        { algorithms: OIDC_ALGORITHMS, issuer: options.issuer, audience: options.audience, requiredClaims: ['exp', 'sub'], clockTolerance: CLOCK_TOLERANCE_S },
      );
      return { payload, keysTrustedUntil: keysFetchedAt + maxAgeMs };
    };
    return new JwtIdentity(verify, OIDC_ALGORITHMS, options.claims ?? DEFAULT_CLAIM_PATHS, Math.min(VERIFIED_TOKEN_TTL_MS, maxAgeMs));
  }

  async actorFor(headers: Record<string, string | string[] | undefined>): Promise<Actor> {
    const token = bearerToken(headers.authorization);
    const known = this.verified.get(token);
    if (known && known.until > Date.now()) return known.actor;
    const { actor, keysTrustedUntil } = await this.verifyActor(token);
    this.remember(token, actor, keysTrustedUntil);
    return actor;
  }

  private remember(token: string, actor: Actor, keysTrustedUntil = Number.POSITIVE_INFINITY): void {
    const exp = decodedExpiry(token);
    // Never past the token's own expiry, nor past the moment the key set that verified it goes stale: a key the
    // issuer withdraws stops admitting tokens once Vigil's copy of its keys is VIGIL_JWT_JWKS_MAX_AGE_MS old.
    const until = Math.min(exp ?? Number.POSITIVE_INFINITY, Date.now() + this.verifiedTtlMs, keysTrustedUntil);
    if (until <= Date.now()) return;
    if (this.verified.size >= VERIFIED_TOKEN_CACHE) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { actor, until });
  }

  private async verifyActor(token: string): Promise<{ actor: Actor; keysTrustedUntil?: number }> {
    let verified: Awaited<ReturnType<Verify>>;
    try {
      verified = await this.verify(token);
    } catch (error) {
      throw this.explain(error);
    }
    try {
      return { actor: actorFromClaims(verified.payload, this.claims), keysTrustedUntil: verified.keysTrustedUntil };
    } catch (error) {
      if (error instanceof InvalidClaimsError) throw unauthorized(error.message);
      throw error;
    }
  }

  private explain(error: unknown): Error {
    if (error instanceof errors.JWTExpired) {
      const exp = typeof error.payload.exp === 'number' ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : '';
      return unauthorized(`token expired${exp}: ask for a new one`);
    }
    if (error instanceof errors.JOSEAlgNotAllowed)
      return unauthorized(`token algorithm is not accepted: ${this.expectedAlgorithms.join(' or ')} only (unsigned tokens, alg "none", are refused)`);
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return unauthorized("token signature is invalid: it was not signed by Vigil's issuer, or it was altered");
    if (error instanceof errors.JWKSNoMatchingKey)
      return unauthorized(
        'token was signed with a key the issuer does not publish (its keys were fetched again within the last second): it may have been withdrawn',
      );
    if (error instanceof errors.JWTClaimValidationFailed)
      return unauthorized(
        `token ${error.claim} claim is not acceptable: ${error.reason === 'check_failed' ? 'it names another issuer or audience' : error.message}`,
      );
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || isFetchFailure(error)) {
      return new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: "the identity provider's signing keys cannot be fetched: try again shortly",
      });
    }
    if (error instanceof errors.JOSEError) return unauthorized(`token is malformed or unusable: ${error.message}`);
    return unauthorized('token is malformed: expected a signed JWT (header.payload.signature)');
  }
}

/** Builds the identity source the configuration asks for. */
export function createJwtIdentity(config: JwtConfig, dataDir: string): JwtIdentity {
  if (config.mode === 'oidc') return JwtIdentity.withJwks(config);
  return JwtIdentity.withSecret(resolveJwtSecret(dataDir, config.secret === undefined ? {} : { VIGIL_JWT_SECRET: config.secret }));
}

function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '') throw unauthorized('missing Authorization header: send Authorization: Bearer <token>');
  if (Array.isArray(header)) throw unauthorized('send exactly one Authorization header');
  const match = /^Bearer +([^ ]+)$/i.exec(header.trim());
  if (!match) throw unauthorized('Authorization header must be "Bearer <token>"');
  return match[1];
}

function unauthorized(message: string): UnauthorizedException {
  return new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message });
}

/** fetch() failing to reach the issuer (a TypeError, possibly from another realm: compared by name). */
function isFetchFailure(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'TypeError' && typeof message === 'string' && /fetch/i.test(message);
}
