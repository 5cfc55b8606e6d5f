import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

describe('Reading right after writing', () => {
  let vigil: VigilHarness;
  beforeEach(async () => {
    vigil = await startVigil();
  });
  afterEach(() => vigil.close());

  it('shows the alert of a lab result in GET /alerts as soon as the POST has answered', async () => {
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    const lab = await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ test: 'PLAT', value: 79000, unit: '/mm3', collectedAt: daysAgo(1) })
      .expect(201);
    const alerts = await vigil.http().get('/alerts').query({ patientId: 'TR-SAT-001' }).expect(200);
    expect(alerts.body.items).toEqual([
      expect.objectContaining({ ruleId: 'TR-PLT', triggeredBy: lab.body.eventId, status: 'open', value: 79000, unit: '/mm3' }),
    ]);
    const safety = await vigil.http().get('/patients/TR-SAT-001/safety').expect(200);
    expect(safety.body.openAlerts).toHaveLength(1);
  });

  it('lists only the patients of the sites an investigator works at', async () => {
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-PSL-002', siteId: 'PSL', disease: 'SLE' }))
      .expect(201);
    const all = await vigil.http().get('/patients').expect(200);
    expect(all.body.items.map((p: { patientId: string }) => p.patientId)).toEqual(['TR-PSL-002', 'TR-SAT-001']);
    expect(all.body.items[1]).toEqual({
      patientId: 'TR-SAT-001',
      siteId: 'SAT',
      disease: 'RA',
      enrolledAt: '2026-01-05T09:00:00.000Z',
      treatmentStatus: 'on-treatment',
      dosesGiven: 0,
    });
    const mine = await vigil.as('investigator', ['SAT']).get('/patients').expect(200);
    expect(mine.body.items.map((p: { patientId: string }) => p.patientId)).toEqual(['TR-SAT-001']);
    const lupus = await vigil.http().get('/patients').query({ disease: 'SLE' }).expect(200);
    expect(lupus.body.items.map((p: { patientId: string }) => p.patientId)).toEqual(['TR-PSL-002']);
    const bad = await vigil.http().get('/patients').query({ disease: 'MS' }).expect(400);
    expect(bad.body.errors[0].field).toBe('disease');
  });

  it('answers every write with the log position it reached (X-Vigil-Position)', async () => {
    const enrolled = await vigil.http().post('/patients').send(enrolment()).expect(201);
    const afterEnrolment = (await vigil.http().get('/health').expect(200)).body.eventStore.headPosition as number;
    expect(enrolled.headers['x-vigil-position']).toBe(String(afterEnrolment));
    const lab = await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ test: 'PLAT', value: 120000, unit: '/mm3', collectedAt: daysAgo(1) })
      .expect(201);
    expect(Number(lab.headers['x-vigil-position'])).toBe(afterEnrolment + 1);
  });

  it('answers a read asking for a position its read models have reached, and 503 with Retry-After for one they do not reach in 2 s', async () => {
    const enrolled = await vigil.http().post('/patients').send(enrolment()).expect(201);
    const reached = await vigil.http().get('/patients').set('X-Vigil-Min-Position', enrolled.headers['x-vigil-position']).expect(200);
    expect(reached.body.items).toHaveLength(1);
    const ahead = await vigil.http().get('/patients').set('X-Vigil-Min-Position', '1000000').expect(503);
    expect(ahead.headers['retry-after']).toBe('1');
    expect(ahead.body.code).toBe('READ_MODELS_BEHIND');
    const malformed = await vigil.http().get('/patients').set('X-Vigil-Min-Position', 'latest').expect(400);
    expect(malformed.body.errors[0].field).toBe('X-Vigil-Min-Position');
  });

  it('answers a write that appends nothing (the same Idempotency-Key again) with the head, and a refused write without a position', async () => {
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    const lab = { test: 'PLAT', value: 120000, unit: '/mm3', collectedAt: daysAgo(1) };
    const first = await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Idempotency-Key', 'lab-0001-of-sat-001').send(lab).expect(201);
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-SAT-002' }))
      .expect(201);
    const head = (await vigil.http().get('/health').expect(200)).body.eventStore.headPosition as number;
    expect(head).toBe(Number(first.headers['x-vigil-position']) + 1);
    const again = await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Idempotency-Key', 'lab-0001-of-sat-001').send(lab).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['x-vigil-position']).toBe(String(head));
    const refused = await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ ...lab, value: 'many' })
      .expect(400);
    expect(refused.headers['x-vigil-position']).toBeUndefined();
    const unknown = await vigil.http().post('/patients/TR-SAT-404/lab-results').send(lab).expect(404);
    expect(unknown.headers['x-vigil-position']).toBeUndefined();
  });

  it('refuses a read the user may not make at once, whatever X-Vigil-Min-Position asks to wait for', async () => {
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    const started = Date.now();
    await vigil.as('investigator', ['PSL']).get('/patients/TR-SAT-001').set('X-Vigil-Min-Position', '1000000').expect(403);
    await vigil.http().get('/patients/TR-SAT-001').set('Authorization', '').set('X-Vigil-Min-Position', '1000000').expect(401);
    // The wait for a position never reached is 2 s: refused before it, as the access guards come first.
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
