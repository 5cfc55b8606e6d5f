import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

describe('Recording a patient over HTTP (embedded store)', () => {
  let vigil: VigilHarness;
  beforeEach(async () => {
    vigil = await startVigil();
  });
  afterEach(async () => {
    await vigil.close();
  });

  const enrol = (overrides: Record<string, unknown> = {}) => vigil.http().post('/patients').send(enrolment(overrides));
  const lab = (body: Record<string, unknown> = {}, patientId = 'TR-SAT-001') =>
    vigil
      .http()
      .post(`/patients/${patientId}/lab-results`)
      .send({ test: 'PLAT', value: 250, unit: '10*9/L', collectedAt: daysAgo(1), ...body });
  const eventsOf = async (patientId = 'TR-SAT-001') => (await vigil.http().get(`/patients/${patientId}/events`)).body as { type: string }[];

  it('answers /health without credentials', async () => {
    const res = await vigil.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('enrols a patient, then records a dose, a lab result and an adverse event, each as one event', async () => {
    const enrolled = await enrol().expect(201);
    expect(enrolled.body).toEqual({ patientId: 'TR-SAT-001', version: 1 });

    const dose = await vigil
      .http()
      .post('/patients/TR-SAT-001/doses')
      .send({ dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(2), lot: 'L-1' })
      .expect(201);
    expect(dose.body).toEqual({ eventId: expect.any(String), version: 2 });

    const result = await lab({ value: 79000, unit: '/mm3', referenceRange: { low: 150000, high: 400000 } }).expect(201);
    expect(result.body.version).toBe(3);

    const ae = await vigil
      .http()
      .post('/patients/TR-SAT-001/adverse-events')
      .send({ term: 'Injection site reaction', onsetAt: daysAgo(1), grade: 1, serious: false, relatedness: 'probable', outcome: 'recovering' })
      .expect(201);
    expect(ae.body.version).toBe(4);

    const events = await vigil.http().get('/patients/TR-SAT-001/events').expect(200);
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['PatientEnrolled', 'DoseAdministered', 'LabResultRecorded', 'AdverseEventReported']);
    const recorded = events.body[2];
    expect(recorded).toMatchObject({
      eventId: result.body.eventId,
      streamId: 'patient-TR-SAT-001',
      streamVersion: 3,
      // After the dose in the log; the alerting reactor may have appended between them (Day 2 of induction passed with no dose: DOSE-MISSED).
      globalPosition: expect.any(Number),
      schemaVersion: expect.any(Number),
      data: { test: 'PLAT', value: 79000, unit: '/mm3', normalised: { value: 79, unit: '10*9/L' } },
      metadata: { userId: 'dev', role: 'admin', siteId: 'SAT', correlationId: expect.any(String), commandId: expect.any(String) },
    });
    expect(recorded.globalPosition).toBeGreaterThan(events.body[1].globalPosition);
    expect(Date.parse(recorded.metadata.recordedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(recorded.metadata.recordedAt).toMatch(/Z$/);
    expect(recorded.metadata.occurredAt).toBe(recorded.data.collectedAt);
  });

  it('takes a calendar date alone as that day at 00:00 UTC', async () => {
    await enrol({ enrolledAt: '2026-01-05' }).expect(201);
    expect((await vigil.http().get('/patients/TR-SAT-001').expect(200)).body.enrolledAt).toBe('2026-01-05T00:00:00.000Z');
  });

  it("returns the patient's state with its version as ETag", async () => {
    await enrol().expect(201);
    await lab().expect(201);
    const res = await vigil.http().get('/patients/TR-SAT-001').expect(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({ patientId: 'TR-SAT-001', version: 2, siteId: 'SAT', disease: 'RA' });
  });

  it('enrols a patient at a site the protocol does not list yet, under a long patient code', async () => {
    const patientId = 'patient-3f0c9a52-7a41-4c1e-9d7e-0b8f2a6c1d55';
    await enrol({ patientId, siteId: 'LYON_SUD-02' }).expect(201);
    expect((await vigil.http().get(`/patients/${patientId}`).expect(200)).body).toMatchObject({ siteId: 'LYON_SUD-02' });
  });

  it('refuses to enrol the same patient twice with 409 and records nothing more', async () => {
    await enrol().expect(201);
    const again = await enrol({ weightKg: 70 }).expect(409);
    expect(again.body.message).toMatch(/TR-SAT-001/);
    expect(await eventsOf()).toHaveLength(1);
  });

  it('answers 404 for records on a patient who is not enrolled, and creates no stream', async () => {
    await lab({}, 'TR-SAT-404').expect(404);
    await vigil.http().get('/patients/TR-SAT-404').expect(404);
    await vigil.http().get('/patients/TR-SAT-404/events').expect(404);
  });

  it('replays a repeated Idempotency-Key: same answer, nothing appended twice', async () => {
    await enrol().expect(201);
    const key = 'lab-upload-0001';
    const first = await lab().set('Idempotency-Key', key).expect(201);
    const second = await lab().set('Idempotency-Key', key).expect(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await eventsOf()).toHaveLength(2);
  });

  it('refuses a write whose If-Match no longer matches with 409, and accepts the current one', async () => {
    await enrol().expect(201);
    await lab().set('If-Match', '"1"').expect(201);
    const stale = await lab().set('If-Match', '"1"').expect(409);
    expect(stale.body.message).toMatch(/version/);
    await lab().set('If-Match', '"2"').expect(201);
    expect(await eventsOf()).toHaveLength(3);
  });

  it('keeps every event, in order, with the same versions and positions across a restart', async () => {
    await enrol().expect(201);
    await enrol({ patientId: 'TR-PSL-002', siteId: 'PSL', disease: 'SLE' }).expect(201);
    await lab().expect(201);
    const before = (await vigil.http().get('/patients/TR-SAT-001/events')).body;
    await vigil.restart();
    const after = (await vigil.http().get('/patients/TR-SAT-001/events')).body;
    expect(after).toEqual(before);
    expect(after.map((e: { globalPosition: number }) => e.globalPosition)).toEqual([1, 3]);
  });

  describe('refuses bad input with 400 naming the field, and records nothing', () => {
    const badLabs: [string, Record<string, unknown>, string][] = [
      ['an unknown unit for the test', { unit: 'g/L' }, 'unit'],
      ['an unknown test', { test: 'XYZ' }, 'test'],
      ['a negative count', { value: -5 }, 'value'],
      ['an impossible platelet count', { value: 6000 }, 'value'],
      ['a collection date in the future', { collectedAt: new Date(Date.now() + 3_600_000).toISOString() }, 'collectedAt'],
      ['a date without a time zone', { collectedAt: '2026-01-05T09:00:00' }, 'collectedAt'],
      ['a day that does not exist', { collectedAt: '2026-02-30T09:00:00Z' }, 'collectedAt'],
      ['a value sent as text', { value: '79' }, 'value'],
      ['an unknown field', { comment: 'hi' }, 'comment'],
      ['a reference range that is not numbers', { referenceRange: { low: 'low' } }, 'referenceRange.low'],
    ];
    it.each(badLabs)('a lab result with %s', async (_, body, field) => {
      await enrol().expect(201);
      const res = await lab(body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.message).toContain(field);
      expect(await eventsOf()).toHaveLength(1);
    });

    it('a lab result missing its fields', async () => {
      await enrol().expect(201);
      const res = await vigil.http().post('/patients/TR-SAT-001/lab-results').send({}).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['test', 'value', 'unit', 'collectedAt']));
      expect(await eventsOf()).toHaveLength(1);
    });

    const badEnrolments: [string, Record<string, unknown>, string][] = [
      ['a disease outside the 14', { disease: 'MS' }, 'disease'],
      ['a name instead of a patient code', { patientId: 'Jeanne Dupont' }, 'patientId'],
      ['a minor', { birthYear: 2015 }, 'birthYear'],
      ['an impossible weight', { weightKg: 900 }, 'weightKg'],
      ['an enrolment in the future', { enrolledAt: new Date(Date.now() + 86_400_000).toISOString() }, 'enrolledAt'],
      ['an unknown sex code', { sex: 'X' }, 'sex'],
    ];
    it.each(badEnrolments)('an enrolment with %s', async (_, body, field) => {
      const res = await enrol(body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      await vigil
        .http()
        .get(`/patients/${String(body.patientId ?? 'TR-SAT-001').replace(/ /g, '')}`)
        .expect((r) => expect([400, 404]).toContain(r.status));
    });

    const badAes: [string, Record<string, unknown>, string][] = [
      ['a grade above 5', { grade: 6 }, 'grade'],
      ['a serious event without its criteria', { serious: true }, 'seriousnessCriteria'],
      ['an unknown seriousness criterion', { serious: true, seriousnessCriteria: ['bad-luck'] }, 'seriousnessCriteria'],
      ['an unknown outcome', { outcome: 'better' }, 'outcome'],
      ['an onset in the future', { onsetAt: new Date(Date.now() + 86_400_000).toISOString() }, 'onsetAt'],
    ];
    it.each(badAes)('an adverse event with %s', async (_, body, field) => {
      await enrol().expect(201);
      const res = await vigil
        .http()
        .post('/patients/TR-SAT-001/adverse-events')
        .send({ term: 'Fever', onsetAt: daysAgo(1), grade: 2, serious: false, ...body })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await eventsOf()).toHaveLength(1);
    });

    it('a dose with a non-numeric amount; while an off-protocol unit or route is recorded', async () => {
      await enrol().expect(201);
      const bad = await vigil
        .http()
        .post('/patients/TR-SAT-001/doses')
        .send({ dose: 'one', unit: 'MIU', route: 'SC', administeredAt: daysAgo(1) })
        .expect(400);
      expect(bad.body.errors[0].field).toBe('dose');
      await vigil
        .http()
        .post('/patients/TR-SAT-001/doses')
        .send({ dose: 2, unit: 'MIU', route: 'IV', administeredAt: daysAgo(1) })
        .expect(201);
      expect(await eventsOf()).toHaveLength(2);
    });

    it('a malformed Idempotency-Key or If-Match header', async () => {
      await enrol().expect(201);
      expect((await lab().set('Idempotency-Key', 'x').expect(400)).body.errors[0].field).toBe('Idempotency-Key');
      expect((await lab().set('If-Match', 'yesterday').expect(400)).body.errors[0].field).toBe('If-Match');
      expect(await eventsOf()).toHaveLength(1);
    });

    it('a body that is not JSON', async () => {
      await enrol().expect(201);
      await vigil.http().post('/patients/TR-SAT-001/lab-results').set('Content-Type', 'application/json').send('{"test": ').expect(400);
      expect(await eventsOf()).toHaveLength(1);
    });
  });
});
