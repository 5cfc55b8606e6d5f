import * as oauth from 'oauth4webapi';

/**
 * Production sign-in: OpenID Connect authorization code flow with PKCE (RFC 7636) against the issuer
 * Vigil trusts (VIGIL_JWT_ISSUER), as a public client (VIGIL_CONSOLE_CLIENT_ID). The access token asked
 * for is meant for Vigil's audience (RFC 8707 `resource`), and the API verifies it against the JWKS.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** VIGIL_JWT_AUDIENCE, sent as the `resource` of the token. */
  audience?: string;
}

const PENDING = 'vigil.oidc.pending';

/** http is accepted only for an issuer on this machine (development and tests); anywhere else it must be https. */
function requestOptions(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(issuer: URL): Promise<oauth.AuthorizationServer> {
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, requestOptions(issuer)));
}

const redirectUri = () => `${location.origin}/`;

/** Sends the browser to the issuer's sign-in page; it comes back to `/` with a code. */
export async function beginSignIn(settings: OidcSettings): Promise<void> {
  const issuer = new URL(settings.issuer);
  const as = await discover(issuer);
  if (!as.authorization_endpoint) throw new Error(`${settings.issuer} publishes no authorization endpoint`);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ codeVerifier, state, nonce, route: location.hash }));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid profile');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (settings.audience) url.searchParams.set('resource', settings.audience);
  location.assign(url.href);
}

/** True when the page was opened by the issuer's redirect (`/?code=…&state=…`). */
export const isSignInCallback = (): boolean => sessionStorage.getItem(PENDING) !== null && /[?&](code|error)=/.test(location.search);

/** Trades the code for tokens; answers the access token and the route the user was on. */
export async function completeSignIn(settings: OidcSettings): Promise<{ accessToken: string; route: string }> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { codeVerifier: string; state: string; nonce: string; route: string } | null;
  sessionStorage.removeItem(PENDING);
  const callback = new URL(location.href);
  history.replaceState(null, '', '/' + (pending?.route ?? ''));
  if (!pending) throw new Error('This sign-in was not started here: sign in again.');
  const issuer = new URL(settings.issuer);
  const as = await discover(issuer);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.codeVerifier, {
    ...requestOptions(issuer),
    ...(settings.audience ? { additionalParameters: { resource: settings.audience } } : {}),
  });
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  return { accessToken: result.access_token, route: pending.route };
}
