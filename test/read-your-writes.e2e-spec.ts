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
});
