import { jwtConfigFromEnv } from './jwt-config';

describe('jwtConfigFromEnv', () => {
  const oidc = { VIGIL_JWT_JWKS_URL: 'https://login.example.fr/certs', VIGIL_JWT_ISSUER: 'https://login.example.fr', VIGIL_JWT_AUDIENCE: 'vigil' };

  it('defaults to embedded tokens with the secret kept in the data directory', () => {
    expect(jwtConfigFromEnv({})).toEqual({ mode: 'embedded' });
  });

  it('takes VIGIL_JWT_SECRET for embedded tokens', () => {
    expect(jwtConfigFromEnv({ VIGIL_JWT_SECRET: 'x'.repeat(32) })).toEqual({ mode: 'embedded', secret: 'x'.repeat(32) });
  });

  it("verifies an OIDC issuer's tokens when a JWKS URL is given with its issuer and audience", () => {
    expect(jwtConfigFromEnv(oidc)).toEqual({
      mode: 'oidc',
      jwksUrl: 'https://login.example.fr/certs',
      issuer: 'https://login.example.fr',
      audience: 'vigil',
      jwksMaxAgeMs: 60_000,
      claims: { role: 'role', sites: 'sites' },
    });
  });

  it("reads the role and sites where the provider puts them, and how long the issuer's keys are kept", () => {
    const keycloak = jwtConfigFromEnv({
      ...oidc,
      VIGIL_JWT_ROLE_CLAIM: 'realm_access.roles',
      VIGIL_JWT_SITES_CLAIM: 'https://vigil.example.org/sites',
      VIGIL_JWT_JWKS_MAX_AGE_MS: '30000',
    });
    expect(keycloak).toMatchObject({ jwksMaxAgeMs: 30_000, claims: { role: 'realm_access.roles', sites: 'https://vigil.example.org/sites' } });
  });

  it.each([
    ['a JWKS URL without an issuer', { ...oidc, VIGIL_JWT_ISSUER: '' }, /VIGIL_JWT_ISSUER is required/],
    ['a JWKS URL without an audience', { ...oidc, VIGIL_JWT_AUDIENCE: undefined }, /VIGIL_JWT_AUDIENCE is required/],
    ['a JWKS URL that is not a URL', { ...oidc, VIGIL_JWT_JWKS_URL: 'login' }, /must be a URL/],
    ['both a secret and a JWKS URL', { ...oidc, VIGIL_JWT_SECRET: 'x'.repeat(32) }, /either/],
    ['a short secret', { VIGIL_JWT_SECRET: 'secret' }, /at least 32/],
    [
      'a JWKS max age below a second',
      { ...oidc, VIGIL_JWT_JWKS_MAX_AGE_MS: '10' },
      /VIGIL_JWT_JWKS_MAX_AGE_MS must be a whole number of milliseconds ≥ 1000, got "10"/,
    ],
    ['a claim path with an empty part', { ...oidc, VIGIL_JWT_ROLE_CLAIM: 'realm_access..roles' }, /VIGIL_JWT_ROLE_CLAIM must be a claim name or a dot path/],
    ['a role claim for embedded tokens', { VIGIL_JWT_ROLE_CLAIM: 'roles' }, /VIGIL_JWT_ROLE_CLAIM applies to an OIDC issuer's tokens/],
  ])('refuses %s with a message saying what to set', (_, env, message) => {
    expect(() => jwtConfigFromEnv(env)).toThrow(message);
  });
});
