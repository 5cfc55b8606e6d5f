import { randomUUID } from 'node:crypto';
import type { Role } from '@vigil/domain';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { PERMISSIONS, registeredRoutes } from '@vigil/api';
import { untilFirstChunk } from './harness/first-chunk';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

type Site = 'patient' | 'alert' | 'body' | 'list' | 'global' | 'trial' | 'self';
const everyone: Role[] = ['investigator', 'safety_officer', 'monitor', 'data_manager', 'admin'];
const trialWide: Role[] = ['safety_officer', 'monitor', 'data_manager', 'admin'];

/**
 * The access rules of the issue, written out once more by hand: the permission matrix must say the
 * same, and every route the app serves must answer each role accordingly.
 */
const EXPECTED: Record<string, { roles: Role[] | 'public'; site: Site }> = {
  'GET /health': { roles: 'public', site: 'global' },
  'GET /health/live': { roles: 'public', site: 'global' },
  'GET /health/ready': { roles: 'public', site: 'global' },
  'GET /metrics': { roles: 'public', site: 'global' },
  'GET /rules': { roles: everyone, site: 'trial' },
  // Issue 14: the console asks who the token names, as the API reads it.
  'GET /me': { roles: everyone, site: 'self' },
  'GET /': { roles: 'public', site: 'global' },
  'GET /console/*': { roles: 'public', site: 'global' },
  'GET /console/config': { roles: 'public', site: 'global' },
  'POST /console/demo-sign-in': { roles: 'public', site: 'global' },
  'POST /patients': { roles: ['investigator', 'admin'], site: 'body' },
  'GET /patients': { roles: everyone, site: 'list' },
  'GET /patients/:patientId': { roles: everyone, site: 'patient' },
  'GET /patients/:patientId/events': { roles: everyone, site: 'patient' },
  'POST /patients/:patientId/doses': { roles: ['investigator', 'admin'], site: 'patient' },
  'POST /patients/:patientId/lab-results': { roles: ['investigator', 'admin'], site: 'patient' },
  'POST /patients/:patientId/adverse-events': { roles: ['investigator', 'admin'], site: 'patient' },
  'POST /patients/:patientId/lab-results/:eventId/corrections': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/lab-results/:eventId/void': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/doses/:eventId/corrections': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/doses/:eventId/void': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/adverse-events/:eventId/corrections': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/adverse-events/:eventId/void': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/adverse-events/:eventId/sponsor-reports': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'POST /patients/:patientId/adverse-events/:eventId/assessments': { roles: ['safety_officer', 'admin'], site: 'patient' },
  'POST /patients/:patientId/adverse-events/:eventId/regulatory-reports': { roles: ['safety_officer', 'admin'], site: 'patient' },
  'POST /patients/:patientId/treatment-status': { roles: ['investigator', 'data_manager', 'admin'], site: 'patient' },
  'GET /patients/:patientId/safety': { roles: everyone, site: 'patient' },
  'GET /patients/:patientId/history': { roles: everyone, site: 'patient' },
  'GET /patients/:patientId/history/export': { roles: everyone, site: 'patient' },
  'GET /patients/:patientId/state': { roles: everyone, site: 'patient' },
  'GET /patients/:patientId/access-log': { roles: ['monitor', 'data_manager', 'admin'], site: 'patient' },
  'GET /alerts': { roles: everyone, site: 'list' },
  'GET /alerts/stream': { roles: everyone, site: 'list' },
  'GET /alerts/:alertId': { roles: everyone, site: 'alert' },
  'POST /alerts/:alertId/acknowledge': { roles: ['safety_officer', 'admin'], site: 'alert' },
  'GET /projections': { roles: trialWide, site: 'global' },
  'GET /projections/:name': { roles: trialWide, site: 'global' },
  'POST /projections/:name/rebuild': { roles: ['data_manager', 'admin'], site: 'global' },
  'GET /audit/verify': { roles: ['monitor', 'data_manager', 'admin'], site: 'global' },
  // Issue 15: the checkpoints for monitors, data managers, safety officers and admins; the public key for anyone.
  'GET /audit/checkpoints': { roles: trialWide, site: 'global' },
  'GET /audit/public-key': { roles: 'public', site: 'global' },
  // Issue 16: the trial-wide safety report for everyone but investigators; SDTM and FHIR for monitors and data managers (and admins).
  'GET /reports/safety': { roles: trialWide, site: 'global' },
  'GET /exports/sdtm/:domain': { roles: ['monitor', 'data_manager', 'admin'], site: 'global' },
  'GET /fhir/Patient/:patientId/$everything': { roles: ['monitor', 'data_manager', 'admin'], site: 'patient' },
};

interface Records {
  labs: string;
  doses: string;
  adverseEvents: string;
  alertId: string;
}

describe('Access: one permission matrix for every route and every role', () => {
  let vigil: VigilHarness;
  let store: EventStore;
  const records: Record<'SAT' | 'PSL', Records> = {} as Record<'SAT' | 'PSL', Records>;
  const patientOf = { SAT: 'TR-SAT-001', PSL: 'TR-PSL-002' };
  let enrolments = 100;

  beforeAll(async () => {
    vigil = await startVigil();
    store = vigil.app.get<EventStore>(EVENT_STORE);
    for (const site of ['SAT', 'PSL'] as const) {
      const patientId = patientOf[site];
      const admin = vigil.http();
      await admin
        .post('/patients')
        .send(enrolment({ patientId, siteId: site }))
        .expect(201);
      const recorded = async (path: string, body: object) => (await admin.post(`/patients/${patientId}/${path}`).send(body).expect(201)).body.eventId as string;
      const labs = await recorded('lab-results', { test: 'PLAT', value: 250, unit: '10*9/L', collectedAt: daysAgo(2) });
      const doses = await recorded('doses', { dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(2) });
      const adverseEvents = await recorded('adverse-events', { term: 'Fever', onsetAt: daysAgo(1), grade: 1, serious: false });
      // An alert as the projector would raise it: the alert stream carries the patient's site.
      const alertId = randomUUID();
      await store.append(
        `alert-${alertId}`,
        [
          {
            type: 'AlertRaised',
            schemaVersion: 1,
            data: {
              alertId,
              ruleId: 'TR-PLT',
              patientId,
              siteId: site,
              triggeredBy: labs,
              value: 79,
              unit: '10*9/L',
              normalisedValue: 79,
              normalisedUnit: '10*9/L',
              threshold: 80,
              thresholdUnit: '10*9/L',
              grade: 1,
              severity: 'warning',
              message: 'Platelets below 80',
              raisedAt: new Date().toISOString(),
            },
            metadata: { userId: 'vigil-projector', role: 'system', siteId: site, occurredAt: new Date().toISOString(), correlationId: labs },
          },
        ],
        { expectedVersion: 0 },
      );
      records[site] = { labs, doses, adverseEvents, alertId };
    }
  });
  afterAll(() => vigil.close());

  /** A concrete request for a route template, about a record of `site`. */
  function requestFor(route: string, site: 'SAT' | 'PSL'): { method: string; url: string; body?: object } {
    const [method, template] = route.split(' ');
    const kind = /\/(lab-results|doses|adverse-events)\/:eventId/.exec(template)?.[1];
    const eventId = kind === 'lab-results' ? records[site].labs : kind === 'doses' ? records[site].doses : records[site].adverseEvents;
    const url = template
      .replace(':patientId', patientOf[site])
      .replace(':eventId', eventId)
      .replace(':alertId', records[site].alertId)
      .replace(':name', 'alert_list')
      .replace(':domain', 'DM');
    return { method, url, body: method === 'POST' ? bodyFor(template, site) : undefined };
  }

  function bodyFor(template: string, site: 'SAT' | 'PSL'): object {
    if (template === '/patients') return enrolment({ patientId: `TR-${site}-${enrolments++}`, siteId: site });
    if (template.endsWith('/corrections')) {
      if (template.includes('/lab-results/')) return { value: 240 + (enrolments++ % 10), reason: 'Transcription error' };
      if (template.includes('/doses/')) return { lot: `L-${enrolments++}`, reason: 'Lot number corrected' };
      return { grade: 2, reason: 'Regraded' };
    }
    if (template.endsWith('/void')) return { reason: 'Entered for the wrong patient' };
    if (template.endsWith('/lab-results')) return { test: 'PLAT', value: 240, unit: '10*9/L', collectedAt: daysAgo(1) };
    if (template.endsWith('/doses')) return { dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(1) };
    if (template.endsWith('/adverse-events')) return { term: 'Headache', onsetAt: daysAgo(1), grade: 1, serious: false };
    if (template.endsWith('/acknowledge')) return { note: 'Seen, patient called' };
    if (template.endsWith('-reports')) return { reportedAt: daysAgo(0), reference: `CASE-${enrolments++}` };
    if (template.endsWith('/assessments')) return { expected: true, causality: 'possible' };
    if (template.endsWith('/treatment-status')) return { status: 'on-treatment', effectiveAt: daysAgo(0), reason: `Confirmed at visit ${enrolments++}` };
    return {};
  }

  async function send(role: Role, sites: string[], route: string, site: 'SAT' | 'PSL') {
    const { method, url, body } = requestFor(route, site);
    const agent = vigil.as(role, sites);
    const before = await store.headPosition();
    const pending = method === 'POST' ? agent.post(url).send(body) : url.endsWith('/stream') ? untilFirstChunk(agent.get(url)) : agent.get(url);
    const res = await pending;
    return { status: res.status, message: res.body?.message as string | undefined, appended: (await store.headPosition()) - before, url };
  }

  it('says in the matrix what the issue asks of each route', () => {
    const matrix = Object.fromEntries(
      Object.entries(PERMISSIONS).map(([route, p]) => [route, { roles: p.roles === 'public' ? 'public' : [...p.roles].sort(), site: p.site }]),
    );
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([route, e]) => [route, { roles: e.roles === 'public' ? 'public' : [...e.roles].sort(), site: e.site }]),
    );
    expect(matrix).toEqual(expected);
  });

  it('lists every route the application serves in the matrix (a route missing there is refused to all)', () => {
    const served = registeredRoutes(vigil.app);
    expect(served.length).toBeGreaterThan(10);
    expect(served.filter((route) => !(route in PERMISSIONS))).toEqual([]);
  });

  describe.each(everyone)('as %s', (role) => {
    const sites = role === 'investigator' ? ['SAT'] : [];

    it('every served route answers as the matrix says: refused with 403 and nothing recorded, or let through', async () => {
      const wrong: unknown[] = [];
      for (const route of registeredRoutes(vigil.app)) {
        const expected = EXPECTED[route];
        const allowed = expected.roles === 'public' || expected.roles.includes(role);
        const res = await send(role, sites, route, 'SAT');
        const ok = allowed ? res.status !== 401 && res.status !== 403 && res.status < 500 : res.status === 403 && res.appended === 0;
        if (!ok) wrong.push({ route, allowed, ...res });
      }
      expect(wrong).toEqual([]);
    });

    it("answers for another site's records: investigators refused (403, nothing recorded), trial-wide roles let through", async () => {
      const wrong: unknown[] = [];
      for (const route of registeredRoutes(vigil.app)) {
        const expected = EXPECTED[route];
        if (expected.roles === 'public' || !expected.roles.includes(role) || !['patient', 'alert', 'body'].includes(expected.site)) continue;
        const res = await send(role, sites, route, 'PSL');
        const ok = role === 'investigator' ? res.status === 403 && res.appended === 0 : res.status !== 403 && res.status !== 401 && res.status < 500;
        if (!ok) wrong.push({ route, ...res });
      }
      expect(wrong).toEqual([]);
    });
  });

  it('refuses an investigator at SAT a lab result for a PSL patient: 403, and the PSL record is unchanged', async () => {
    const before = await store.streamVersion('patient-TR-PSL-002');
    const head = await store.headPosition();
    const res = await vigil
      .as('investigator', ['SAT'])
      .post('/patients/TR-PSL-002/lab-results')
      .send({ test: 'PLAT', value: 79, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(403);
    expect(res.body.message).toMatch(/TR-PSL-002 of site PSL is outside your sites \(SAT\)/);
    expect(await store.streamVersion('patient-TR-PSL-002')).toBe(before);
    expect(await store.headPosition()).toBe(head);
  });

  it('lets an investigator at two sites work at both', async () => {
    const both = vigil.as('investigator', ['SAT', 'PSL']);
    await both.get('/patients/TR-PSL-002').expect(200);
    await both.get('/patients/TR-SAT-001').expect(200);
  });

  it('refuses an investigator enrolling a patient at another site', async () => {
    const res = await vigil
      .as('investigator', ['SAT'])
      .post('/patients')
      .send(enrolment({ patientId: 'TR-PSL-900', siteId: 'PSL' }))
      .expect(403);
    expect(res.body.message).toMatch(/site PSL/);
    await vigil.http().get('/patients/TR-PSL-900').expect(404);
  });

  it('tells a monitor they may not write, naming the route', async () => {
    const res = await vigil
      .as('monitor')
      .post('/patients/TR-SAT-001/doses')
      .send({ dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(1) })
      .expect(403);
    expect(res.body.message).toBe('a monitor may not record a dose (POST /patients/:patientId/doses)');
  });
});
