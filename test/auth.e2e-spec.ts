import { SignJWT } from 'jose';
import { PERMISSIONS, resolveJwtSecret } from '@vigil/api';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Identity: every request but the public routes carries a verified bearer token', () => {
  let vigil: VigilHarness;
  beforeAll(async () => {
    vigil = await startVigil();
    await vigil.http().post('/patients').send(enrolment()).expect(201);
  });
  afterAll(() => vigil.close());

  const headPosition = async () => (await vigil.anonymous().get('/health').expect(200)).body.eventStore.headPosition as number;
  const lab = { test: 'PLAT', value: 250, unit: '10*9/L', collectedAt: daysAgo(1) };

  it('answers /health and the API docs without a token', async () => {
    await vigil.anonymous().get('/health').expect(200);
    await vigil.anonymous().get('/docs/json').expect(200);
  });

  it('answers every route the permission matrix calls public without a token (never 401 or 403), and only those', async () => {
    const routes = Object.entries(PERMISSIONS).map(([route, permission]) => ({ route, open: permission.roles === 'public' }));
    const answers = await Promise.all(
      routes.map(async ({ route, open }) => {
        const [method, template] = route.split(' ');
        const url = template.replace('*', 'assets/none.js').replace(/:\w+/g, 'TR-SAT-001');
        const res = method === 'POST' ? await vigil.anonymous().post(url).send({}) : await vigil.anonymous().get(url);
        return { route, open, status: res.status };
      }),
    );
    expect(answers.filter(({ open, status }) => open === (status === 401 || status === 403))).toEqual([]);
  });

  it('refuses a request without a token with 401, saying what to send, and records nothing', async () => {
    const before = await headPosition();
    const res = await vigil.anonymous().post('/patients/TR-SAT-001/lab-results').send(lab).expect(401);
    expect(res.body.message).toMatch(/Authorization: Bearer/);
    await vigil.anonymous().get('/patients/TR-SAT-001').expect(401);
    expect(await headPosition()).toBe(before);
  });

  /** Signed with this Vigil's own secret, with the claims given. */
  const signed = (claims: Record<string, unknown>, exp: number | string = '1h') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setIssuer('vigil')
      .setAudience('vigil-api')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(resolveJwtSecret(vigil.dataDir, {})));

  const refused: [string, () => Promise<string>, RegExp][] = [
    ['an expired token', () => signed({ role: 'admin' }, Math.floor(Date.now() / 1000) - 60), /expired/],
    [
      'an unsigned token (alg none)',
      async () => {
        const claims = { sub: 'mallory', role: 'admin', iss: 'vigil', aud: 'vigil-api', exp: Math.floor(Date.now() / 1000) + 600 };
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      },
      /none|algorithm/i,
    ],
    [
      'a token signed with another secret',
      () =>
        new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('mallory')
          .setIssuer('vigil')
          .setAudience('vigil-api')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('not-the-secret-of-this-vigil-at-all!!')),
      /signature/,
    ],
    ['a malformed token', async () => 'not.a.jwt', /malformed/],
    ['a token without a role', () => signed({}), /no role/],
    ['a token with an unknown role', () => signed({ role: 'root' }), /"root" is not a Vigil role/],
  ];
  it.each(refused)('refuses %s with 401 and a clear message, recording nothing', async (_, token, message) => {
    const bearer = await token();
    const before = await headPosition();
    const res = await vigil.anonymous().post('/patients/TR-SAT-001/lab-results').set('Authorization', `Bearer ${bearer}`).send(lab).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(message) });
    expect(await headPosition()).toBe(before);
  });

  it('records the user of the verified token on the event: id, name, role and the patient site', async () => {
    const investigator = vigil.as('investigator', ['SAT'], { sub: 'u-claire', name: 'Dr Claire Martin' });
    const { eventId } = (await investigator.post('/patients/TR-SAT-001/lab-results').send(lab).expect(201)).body;
    const events = (await vigil.http().get('/patients/TR-SAT-001/events').expect(200)).body as { eventId: string; metadata: Record<string, unknown> }[];
    expect(events.find((e) => e.eventId === eventId)?.metadata).toMatchObject({
      userId: 'u-claire',
      userName: 'Dr Claire Martin',
      role: 'investigator',
      siteId: 'SAT',
    });
  });

  it('answers GET /me with the user the token names, as Vigil reads it, and 401 without a token', async () => {
    const me = await vigil.as('investigator', ['SAT', 'PSL'], { sub: 'u-claire', name: 'Dr Claire Martin' }).get('/me').expect(200);
    expect(me.body).toEqual({ userId: 'u-claire', name: 'Dr Claire Martin', role: 'investigator', sites: ['SAT', 'PSL'] });
    const anonymous = await vigil.anonymous().get('/me').expect(401);
    expect(anonymous.body.message).toMatch(/Authorization: Bearer/);
  });

  it('keeps accepting the same tokens after a restart (the secret is kept in the data directory)', async () => {
    const token = await vigil.token({ role: 'monitor', sub: 'u-mon' });
    await vigil.restart();
    await vigil.anonymous().get('/patients/TR-SAT-001').set('Authorization', `Bearer ${token}`).expect(200);
  });
});
