// A real OpenID Connect issuer for the console's sign-in test (oidc-provider, ES modules only: run as a child
// process). Usage: node oidc-issuer.mjs <port> <console redirect URI> <audience>. It prints "ready" once listening.
// Public client `vigil-console` (PKCE, no secret); access tokens for <audience> are JWTs (RFC 8707 resource
// indicators) carrying Vigil's claims where Keycloak puts them: a safety officer named Olivia OIDC, her role in the
// list `realm_access.roles` (VIGIL_JWT_ROLE_CLAIM), her sites in `vigil_sites` (VIGIL_JWT_SITES_CLAIM).
import Provider from 'oidc-provider';

const [port, redirectUri, audience] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'vigil-console',
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'profile', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  },
  claims: { openid: ['sub'], profile: ['name'] },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, name: 'Olivia OIDC' }) }),
  extraTokenClaims: (_ctx, token) =>
    token.kind === 'AccessToken' ? { name: 'Olivia OIDC', realm_access: { roles: ['offline_access', 'safety_officer'] }, vigil_sites: [] } : undefined,
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
