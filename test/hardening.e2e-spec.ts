import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { httpConfigFromEnv, jsonDepthExceeds } from '@vigil/api';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('Input that cannot hurt', () => {
  let vigil: VigilHarness;
  afterEach(() => vigil?.close());
  const head = () => vigil.app.get<symbol, EventStore>(EVENT_STORE).headPosition();

  describe('with the default limits', () => {
    beforeEach(async () => {
      vigil = await startVigil();
      await vigil.http().post('/patients').send(enrolment()).expect(201);
    });

    it('refuses a body nested 100 000 levels deep with 400 naming the body, before validation, and records nothing', async () => {
      const before = await head();
      const deep = `{"test":"PLAT","value":1,"unit":"10*9/L","collectedAt":"${daysAgo(1)}","x":${nested(100_000)}}`;
      const res = await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Content-Type', 'application/json').send(deep).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, errors: [{ field: 'body', reason: 'nests arrays and objects deeper than 32 levels' }] });
      expect(await head()).toBe(before);
      await vigil.anonymous().get('/health').expect(200);
    });

    it('lets a body of 32 levels through to validation, which names the unknown field', async () => {
      const body = `{"test":"PLAT","value":1,"unit":"10*9/L","collectedAt":"${daysAgo(1)}","x":${nested(31)}}`;
      const res = await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Content-Type', 'application/json').send(body).expect(400);
      expect(res.body.errors).toContainEqual({ field: 'x', reason: expect.stringMatching(/should not exist/) });
    });

    it('refuses a body over 1 MiB with 413, and records nothing', async () => {
      const before = await head();
      const huge = JSON.stringify({ test: 'PLAT', value: 1, unit: '10*9/L', collectedAt: daysAgo(1), note: 'x'.repeat(1024 * 1024) });
      const res = await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Content-Type', 'application/json').send(huge).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await head()).toBe(before);
    });

    it('refuses a body that tries to poison prototypes', async () => {
      const body = `{"test":"PLAT","value":1,"unit":"10*9/L","collectedAt":"${daysAgo(1)}","__proto__":{"admin":true}}`;
      await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Content-Type', 'application/json').send(body).expect(400);
    });

    it('puts security headers on every answer: the API, the public key, health and errors', async () => {
      for (const res of [
        await vigil.http().get('/patients/TR-SAT-001').expect(200),
        await vigil.anonymous().get('/audit/public-key').expect(200),
        await vigil.anonymous().get('/health').expect(200),
        await vigil.anonymous().get('/patients').expect(401),
      ]) {
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
      }
    });

    it('sets request and idle timeouts on the server', () => {
      const server = vigil.app.getHttpServer() as { requestTimeout: number; timeout: number };
      expect(server.requestTimeout).toBe(30_000);
      expect(server.timeout).toBe(120_000);
    });
  });

  it('answers 429 with Retry-After once a user, or an address, goes over its limit, and records nothing then', async () => {
    vigil = await startVigil({ env: { VIGIL_RATE_LIMIT_PER_USER: '5', VIGIL_RATE_LIMIT_PER_ADDRESS: '8', VIGIL_RATE_LIMIT_WINDOW_MS: '60000' } });
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    for (let i = 0; i < 4; i++) await vigil.http().get('/patients/TR-SAT-001').expect(200);
    const before = await head();
    const limited = await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ test: 'PLAT', value: 79, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/for this user/) });
    expect(await head()).toBe(before);
    // Another user from the same address still gets through, until the address's own limit.
    await vigil.as('monitor').get('/patients/TR-SAT-001').expect(200);
    await vigil.as('monitor').get('/patients/TR-SAT-001').expect(200);
    const byAddress = await vigil.as('safety_officer').get('/patients/TR-SAT-001').expect(429);
    expect(byAddress.body.message).toMatch(/for this address/);
    // Liveness probes are never limited.
    await vigil.anonymous().get('/health').expect(200);
  });

  it('reads its limits from the environment and refuses nonsense, naming the variable', () => {
    expect(httpConfigFromEnv({})).toEqual({
      bodyLimitBytes: 1_048_576,
      maxDepth: 32,
      rateLimitPerUser: 300_000,
      rateLimitPerAddress: 300_000,
      rateLimitWindowMs: 60_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
    });
    expect(() => httpConfigFromEnv({ VIGIL_HTTP_BODY_LIMIT_BYTES: 'lots' })).toThrow(
      /VIGIL_HTTP_BODY_LIMIT_BYTES must be a number of bytes ≥ 1024, got "lots"/,
    );
    expect(() => httpConfigFromEnv({ VIGIL_RATE_LIMIT_PER_USER: '-1' })).toThrow(/VIGIL_RATE_LIMIT_PER_USER/);
  });

  it('counts depth on the text, skipping brackets inside strings', () => {
    expect(jsonDepthExceeds('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 2)).toBe(false);
    expect(jsonDepthExceeds('{"a":"\\"[[[[","b":[[1]]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"b":[[[1]]]}', 3)).toBe(true);
  });
});
