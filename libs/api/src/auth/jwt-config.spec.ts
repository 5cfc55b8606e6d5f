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
    expect(jwtConfigFromEnv(oidc)).toEqual({ mode: 'oidc', jwksUrl: 'https://login.example.fr/certs', issuer: 'https://login.example.fr', audience: 'vigil' });
  });

  it.each([
    ['a JWKS URL without an issuer', { ...oidc, VIGIL_JWT_ISSUER: '' }, /VIGIL_JWT_ISSUER is required/],
    ['a JWKS URL without an audience', { ...oidc, VIGIL_JWT_AUDIENCE: undefined }, /VIGIL_JWT_AUDIENCE is required/],
    ['a JWKS URL that is not a URL', { ...oidc, VIGIL_JWT_JWKS_URL: 'login' }, /must be a URL/],
    ['both a secret and a JWKS URL', { ...oidc, VIGIL_JWT_SECRET: 'x'.repeat(32) }, /either/],
    ['a short secret', { VIGIL_JWT_SECRET: 'secret' }, /at least 32/],
  ])('refuses %s with a message saying what to set', (_, env, message) => {
    expect(() => jwtConfigFromEnv(env)).toThrow(message);
  });
});
