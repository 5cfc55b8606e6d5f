import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import request from 'supertest';
import { freePort } from './harness/vigil-process';
import { enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

jest.setTimeout(60_000);

const AUDIENCE = 'urn:vigil:api';

/** A real OpenID provider (oidc-provider) in a child process, restartable on its port with other keys or claims. */
class Provider {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'vigil-oidc-'));
  url = '';

  constructor(private readonly port: number) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(keys: JWK[], claims: Record<string, unknown>): Promise<void> {
    await this.stop();
    const config = join(this.dir, 'config.json');
    writeFileSync(config, JSON.stringify({ keys, claims }));
    const child = spawn(process.execPath, [join(__dirname, 'support', 'oidc-token-issuer.mjs'), String(this.port), AUDIENCE, config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => ((output += chunk.toString()), output.includes('ready') && resolve()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`the OpenID provider exited ${code}: ${output}`)));
    });
  }

  /** An access token for Vigil, from the token endpoint (client credentials). */
  async token(): Promise<string> {
    const res = await request(this.url)
      .post('/token')
      .auth('lab-robot', 'lab-robot-secret')
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'vigil', resource: AUDIENCE });
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${res.text}`);
    return res.body.access_token as string;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Vigil behind a real OpenID provider (oidc-provider): key rotation, key withdrawal, a provider's roles list", () => {
  let provider: Provider;
  let vigil: VigilHarness | undefined;
  const asBearer = (token: string) => request(vigil!.app.getHttpServer()).get('/alerts').set('Authorization', `Bearer ${token}`);

  beforeEach(async () => {
    provider = new Provider(await freePort());
  });
  afterEach(async () => {
    await vigil?.close();
    vigil = undefined;
    await provider.close();
  });

  const startVigilTrusting = (env: Record<string, string> = {}) =>
    startVigil({
      env: { VIGIL_JWT_JWKS_URL: `${provider.url}/jwks`, VIGIL_JWT_ISSUER: provider.url, VIGIL_JWT_AUDIENCE: AUDIENCE, ...env },
    });

  it('accepts the first token signed with a new key as soon as it is published, and refuses a withdrawn key once the keys are fetched again', async () => {
    const [oldKey, newKey] = [await signingKey('2026-11'), await signingKey('2026-12')];
    await provider.start([oldKey], { role: 'safety_officer' });
    vigil = await startVigilTrusting({ VIGIL_JWT_JWKS_MAX_AGE_MS: '2000' });
    const oldToken = await provider.token();
    expect(decodeProtectedHeader(oldToken).kid).toBe('2026-11');
    await asBearer(oldToken).expect(200);

    // Rotation: the provider signs with the new key and still publishes the old one.
    await provider.start([newKey, oldKey], { role: 'safety_officer' });
    const newToken = await provider.token();
    expect(decodeProtectedHeader(newToken).kid).toBe('2026-12');
    // Within a second of the last fetch too: the token waits for the next one rather than being refused.
    await asBearer(newToken).expect(200);
    await asBearer(oldToken).expect(200);

    // Withdrawal: the old key leaves the provider's JWKS; once Vigil's copy is older than VIGIL_JWT_JWKS_MAX_AGE_MS, it is refused.
    await provider.start([newKey], { role: 'safety_officer' });
    await pause(2100);
    const refused = await asBearer(oldToken).expect(401);
    expect(refused.body.message).toMatch(/^token was signed with a key the issuer does not publish/);
    await asBearer(newToken).expect(200);
  });

  it('maps a top-level roles list (VIGIL_JWT_ROLE_CLAIM=roles) to the one Vigil role in it', async () => {
    await provider.start([await signingKey('k1')], { roles: ['offline_access', 'monitor'] });
    vigil = await startVigilTrusting({ VIGIL_JWT_ROLE_CLAIM: 'roles' });
    const monitor = await provider.token();
    // A monitor reads the audit trail's checkpoints (trial-wide readers) but may not record a patient.
    await request(vigil.app.getHttpServer()).get('/audit/checkpoints').set('Authorization', `Bearer ${monitor}`).expect(200);
    const refused = await request(vigil.app.getHttpServer()).post('/patients').set('Authorization', `Bearer ${monitor}`).send({}).expect(403);
    expect(refused.body.message).toMatch(/^a monitor may not enrol a patient/);
  });

  it("maps a provider's roles list (Keycloak's realm_access.roles) to the one Vigil role in it, and refuses a list with two", async () => {
    const key = await signingKey('k1');
    await provider.start([key], { realm_access: { roles: ['offline_access', 'monitor', 'uma_authorization'] }, vigil_sites: ['SAT'] });
    vigil = await startVigilTrusting({ VIGIL_JWT_ROLE_CLAIM: 'realm_access.roles', VIGIL_JWT_SITES_CLAIM: 'vigil_sites' });
    const monitor = await provider.token();
    // GET /me answers the user as Vigil read the token: the role from the nested list, the sites from their claim.
    const me = await request(vigil.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${monitor}`).expect(200);
    expect(me.body).toEqual({ userId: 'lab-robot', name: 'lab-robot', role: 'monitor', sites: ['SAT'] });
    // A monitor reads the audit trail's checkpoints (trial-wide readers) but may not record a patient.
    await request(vigil.app.getHttpServer()).get('/audit/checkpoints').set('Authorization', `Bearer ${monitor}`).expect(200);
    const refused = await request(vigil.app.getHttpServer()).post('/patients').set('Authorization', `Bearer ${monitor}`).send({}).expect(403);
    expect(refused.body.message).toMatch(/^a monitor may not enrol a patient/);

    // The sites come from their claim too: an investigator of SAT records at SAT, and only there.
    await provider.start([key], { realm_access: { roles: ['investigator'] }, vigil_sites: ['SAT'] });
    const investigator = await provider.token();
    const server = vigil.app.getHttpServer();
    const enrol = (siteId: string) =>
      request(server)
        .post('/patients')
        .set('Authorization', `Bearer ${investigator}`)
        .send(enrolment({ patientId: `TR-${siteId}-001`, siteId }));
    await enrol('SAT').expect(201);
    expect((await enrol('HEL').expect(403)).body.message).toBe('site HEL is outside your sites (SAT)');

    // The same provider and key, now granting two of Vigil's roles.
    await provider.start([key], { realm_access: { roles: ['monitor', 'admin'] } });
    const ambiguous = await asBearer(await provider.token()).expect(401);
    expect(ambiguous.body.message).toBe(
      'token roles (realm_access.roles) include several Vigil roles (monitor, admin): a Vigil user has exactly one; ' +
        "ask the identity provider's administrator to keep one",
    );
  });
});
