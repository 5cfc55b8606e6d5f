import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpException } from '@nestjs/common';
import { exportJWK, generateKeyPair, JWTPayload, SignJWT } from 'jose';
import { issueToken } from './issue-token';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from './jwt-config';
import { JwtIdentity } from './jwt-identity';

const secret = 'a-test-secret-of-at-least-32-characters!!';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

/** The HTTP status and message a failed `actorFor` answers with. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), message: String((error.getResponse() as { message: string }).message) };
    throw error;
  }
  throw new Error('expected the token to be refused');
}

const signHs256 = (claims: JWTPayload, key = secret) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(EMBEDDED_ISSUER)
    .setAudience(EMBEDDED_AUDIENCE)
    .setIssuedAt()
    .sign(new TextEncoder().encode(key));

describe('JwtIdentity with the embedded HS256 secret', () => {
  const identity = JwtIdentity.withSecret(secret);

  it('turns a token minted by the CLI into the acting user', async () => {
    const token = await issueToken(secret, { sub: 'u-17', name: 'Dr Claire Martin', role: 'investigator', sites: ['SAT', 'PSL'] });
    await expect(identity.actorFor(bearer(token))).resolves.toEqual({ userId: 'u-17', name: 'Dr Claire Martin', role: 'investigator', sites: ['SAT', 'PSL'] });
  });

  it('refuses a request without an Authorization header, naming what to send', async () => {
    expect(await refusal(identity.actorFor({}))).toEqual({ status: 401, message: expect.stringMatching(/Authorization: Bearer/) });
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    expect(await refusal(identity.actorFor({ authorization: 'Basic dXNlcjpwYXNz' }))).toMatchObject({ status: 401, message: expect.stringMatching(/Bearer/) });
  });

  it('refuses an expired token, saying it expired', async () => {
    const token = await signHs256({ sub: 'u-1', role: 'monitor', exp: inSeconds(-120) });
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/expired/) });
  });

  it('refuses an unsigned token (alg none)', async () => {
    const claims = { sub: 'u-1', role: 'admin', iss: EMBEDDED_ISSUER, aud: EMBEDDED_AUDIENCE, exp: inSeconds(600) };
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/none|algorithm|malformed/i) });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signHs256({ sub: 'u-1', role: 'admin', exp: inSeconds(600) }, 'another-secret-of-at-least-32-characters!!');
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/signature/) });
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const token = await issueToken(secret, { sub: 'u-1', name: 'Ann', role: 'investigator', sites: ['SAT'] });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
    expect(await refusal(identity.actorFor(bearer(forged)))).toMatchObject({ status: 401, message: expect.stringMatching(/signature/) });
  });

  it.each([
    ['not a JWT at all', 'hello'],
    ['two parts only', 'abc.def'],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.${b64({ sub: 'x' })}.sig`],
  ])('refuses a malformed token: %s', async (_, token) => {
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/malformed|invalid|unusable/i) });
  });

  it('refuses a token without a role, and one with a role Vigil does not know', async () => {
    const noRole = await signHs256({ sub: 'u-1', exp: inSeconds(600) });
    expect(await refusal(identity.actorFor(bearer(noRole)))).toMatchObject({ status: 401, message: 'token has no role claim' });
    const unknown = await signHs256({ sub: 'u-1', role: 'superuser', exp: inSeconds(600) });
    expect(await refusal(identity.actorFor(bearer(unknown)))).toMatchObject({ status: 401, message: expect.stringMatching(/"superuser" is not a Vigil role/) });
  });

  it('accepts a token signed with the embedded secret that has no expiry, and refuses one without a subject', async () => {
    const noExp = await signHs256({ sub: 'u-1', role: 'admin' });
    expect(await identity.actorFor(bearer(noExp))).toMatchObject({ userId: 'u-1', role: 'admin' });
    const noSub = await signHs256({ role: 'admin', exp: inSeconds(600) });
    expect((await refusal(identity.actorFor(bearer(noSub)))).status).toBe(401);
  });

  it('refuses sites that are not a list of site ids', async () => {
    const token = await signHs256({ sub: 'u-1', role: 'investigator', sites: 'SAT', exp: inSeconds(600) });
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/sites/) });
  });

  it('accepts a token without issuer and audience (only Vigil holds the secret)', async () => {
    const token = await new SignJWT({ name: 'Bench', role: 'admin', sites: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('bench')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(identity.actorFor(bearer(token))).resolves.toMatchObject({ userId: 'bench', role: 'admin' });
  });

  it('refuses a token meant for another audience, signed with the same secret', async () => {
    const token = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setAudience('another-api')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/aud/) });
  });

  it('refuses a token of another issuer signed with the same secret', async () => {
    const token = await new SignJWT({ sub: 'u-1', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setAudience(EMBEDDED_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/iss/) });
  });
});

describe("JwtIdentity against an OIDC issuer's JWKS", () => {
  const issuer = 'https://login.example-hospital.fr/realms/trials';
  const audience = 'vigil';
  let server: Server;
  let jwksUrl: string;
  type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
  let rsa: KeyPair;
  let ec: KeyPair;
  let stranger: KeyPair;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    stranger = await generateKeyPair('RS256');
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/protocol/openid-connect/certs`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (key: KeyPair['privateKey'], alg: string, kid: string, claims: JWTPayload = {}, iss = issuer, aud = audience) =>
    new SignJWT({ name: 'Marc Dubois', role: 'safety_officer', sites: [], ...claims })
      .setProtectedHeader({ alg, kid })
      .setSubject('kc-4711')
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  it('accepts RS256 and ES256 tokens signed with keys the issuer publishes', async () => {
    const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience });
    await expect(identity.actorFor(bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1')))).resolves.toEqual({
      userId: 'kc-4711',
      name: 'Marc Dubois',
      role: 'safety_officer',
      sites: [],
    });
    await expect(identity.actorFor(bearer(await sign(ec.privateKey, 'ES256', 'ec-1')))).resolves.toMatchObject({ userId: 'kc-4711' });
  });

  it('refuses a token signed with a key the issuer does not publish', async () => {
    const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience });
    expect((await refusal(identity.actorFor(bearer(await sign(stranger.privateKey, 'RS256', 'rsa-1'))))).status).toBe(401);
    expect(await refusal(identity.actorFor(bearer(await sign(stranger.privateKey, 'RS256', 'unknown-kid'))))).toMatchObject({
      status: 401,
      message: expect.stringMatching(/key/),
    });
  });

  it('refuses a token of another issuer or for another audience', async () => {
    const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience });
    expect(await refusal(identity.actorFor(bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1', {}, 'https://evil.example'))))).toMatchObject({
      status: 401,
      message: expect.stringMatching(/iss/),
    });
    expect(await refusal(identity.actorFor(bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1', {}, issuer, 'another-api'))))).toMatchObject({
      status: 401,
      message: expect.stringMatching(/aud/),
    });
  });

  it('refuses an HS256 token, even one that names the issuer (no symmetric keys from a JWKS)', async () => {
    const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience });
    const token = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setSubject('x')
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    expect(await refusal(identity.actorFor(bearer(token)))).toMatchObject({ status: 401, message: expect.stringMatching(/RS256 or ES256/) });
  });

  it('answers 503, not 401, when the issuer cannot be reached for its keys', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const identity = JwtIdentity.withJwks({ jwksUrl: `http://127.0.0.1:${port}/certs`, issuer, audience });
    expect((await refusal(identity.actorFor(bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1'))))).status).toBe(503);
  });
});

/** Every timer jest can fake but the clock: fetches and their timeouts run, `Date.now()` moves only when a test says. */
const TIMERS_BUT_DATE: FakeableAPI[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

describe('JwtIdentity following an issuer that rotates and withdraws keys', () => {
  const issuer = 'https://login.example-hospital.fr/realms/trials';
  const audience = 'vigil';
  type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
  let server: Server;
  let jwksUrl: string;
  /** What the issuer publishes now, and how often its JWKS was fetched. */
  let published: object[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      fetches++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const keyPair = async (kid: string) => {
    const pair = await generateKeyPair('RS256');
    return { ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } };
  };
  const sign = (key: KeyPair['privateKey'], kid: string, expiresIn = '1h') =>
    new SignJWT({ role: 'safety_officer', sites: [] })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('kc-4711')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key);

  it('accepts a token signed with a key published just after its keys were fetched: it waits for the next fetch, made once', async () => {
    const [current, next] = [await keyPair('2026-11'), await keyPair('2026-12')];
    published = [current.jwk];
    fetches = 0;
    const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience });
    await identity.actorFor(bearer(await sign(current.privateKey, '2026-11')));
    expect(fetches).toBe(1);

    // The issuer starts signing with a new key within the second after that fetch.
    published = [next.jwk, current.jwk];
    await expect(identity.actorFor(bearer(await sign(next.privateKey, '2026-12')))).resolves.toMatchObject({ userId: 'kc-4711' });
    expect(fetches).toBe(2);
  });

  describe("with the clock in the test's hands", () => {
    beforeEach(() => jest.useFakeTimers({ now: Date.now(), doNotFake: TIMERS_BUT_DATE }));
    afterEach(() => jest.useRealTimers());

    it('stops admitting a token of a withdrawn key once the keys that verified it are max-age old, however late it was first seen', async () => {
      const [current, next] = [await keyPair('2026-11'), await keyPair('2026-12')];
      published = [current.jwk];
      fetches = 0;
      const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience, jwksMaxAgeMs: 60_000 });
      await identity.actorFor(bearer(await sign(current.privateKey, '2026-11')));
      expect(fetches).toBe(1);

      // A token first shown 59 s after the fetch, by keys still fresh; then the issuer withdraws its key.
      jest.advanceTimersByTime(59_000);
      const late = await sign(current.privateKey, '2026-11');
      await expect(identity.actorFor(bearer(late))).resolves.toMatchObject({ userId: 'kc-4711' });
      published = [next.jwk];

      // A second later the keys that verified it are 60 s old: it is verified again, with the keys fetched again.
      jest.advanceTimersByTime(1_001);
      expect(await refusal(identity.actorFor(bearer(late)))).toMatchObject({
        status: 401,
        message: expect.stringMatching(/^token was signed with a key the issuer does not publish/),
      });
      expect(fetches).toBe(2);
    });
  });

  it('refuses a key still unpublished after that fetch, fetching once for it', async () => {
    const [current, stranger] = [await keyPair('2026-11'), await keyPair('forged')];
    published = [current.jwk];
    fetches = 0;
    const identity = JwtIdentity.withJwks({ jwksUrl, issuer, audience });
    await identity.actorFor(bearer(await sign(current.privateKey, '2026-11')));
    expect(await refusal(identity.actorFor(bearer(await sign(stranger.privateKey, 'forged'))))).toMatchObject({
      status: 401,
      message: expect.stringMatching(/^token was signed with a key the issuer does not publish/),
    });
    expect(fetches).toBe(2);
  });
});
