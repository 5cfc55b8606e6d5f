// A real OpenID provider (oidc-provider, ES modules only: run as a child process) issuing RS256 JWT access
// tokens to a service client (client credentials, RFC 8707 resource indicators), for the identity tests.
// Usage: node oidc-token-issuer.mjs <port> <audience> <config.json>; prints "ready" once listening.
// config.json: { "keys": [private JWKs, the first signs], "claims": { extra access-token claims } }.
// A key rotation is a restart with other keys on the same port, as a provider's redeploy would be.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, audience, configFile] = process.argv.slice(2);
const { keys, claims } = JSON.parse(readFileSync(configFile, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  jwks: { keys },
  clients: [{ client_id: 'lab-robot', client_secret: 'lab-robot-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
  features: {
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      getResourceServerInfo: () => ({ scope: 'vigil', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  },
  scopes: ['vigil'],
  extraTokenClaims: () => claims,
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
