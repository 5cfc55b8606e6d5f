import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

describe('Correcting and voiding recorded data over HTTP', () => {
  let vigil: VigilHarness;
  let labId: string;
  beforeEach(async () => {
    vigil = await startVigil();
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    labId = (
      await vigil
        .http()
        .post('/patients/TR-SAT-001/lab-results')
        .send({ test: 'PLAT', value: 8, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201)
    ).body.eventId;
  });
  afterEach(() => vigil.close());

  const events = async () =>
    (await vigil.http().get('/patients/TR-SAT-001/events')).body as { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[];

  it('records a correction as a new event with the old value, the new value and the reason', async () => {
    const res = await vigil
      .http()
      .post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`)
      .send({ value: 80, reason: 'Transcription error: the report reads 80' })
      .expect(201);
    expect(res.body).toEqual({ eventId: expect.any(String), version: 3 });
    const stream = await events();
    expect(stream.map((e) => e.type)).toEqual(['PatientEnrolled', 'LabResultRecorded', 'LabResultCorrected']);
    expect(stream[1].data.value).toBe(8); // the original is never changed
    expect(JSON.stringify(stream[2].data)).toContain(labId);
    expect(stream[2].metadata.reason).toBe('Transcription error: the report reads 80');
    const patient = (await vigil.http().get('/patients/TR-SAT-001').expect(200)).body;
    expect(patient.labs[labId].current.value).toBe(80);
    expect(patient.labs[labId].original.value).toBe(8);
  });

  it('voids an entry entered in error, then refuses to correct or void it again with 422', async () => {
    await vigil.http().post(`/patients/TR-SAT-001/lab-results/${labId}/void`).send({ reason: 'Wrong patient' }).expect(201);
    await vigil.http().post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`).send({ value: 80, reason: 'x' }).expect(422);
    await vigil.http().post(`/patients/TR-SAT-001/lab-results/${labId}/void`).send({ reason: 'again' }).expect(422);
    expect((await events()).map((e) => e.type)).toEqual(['PatientEnrolled', 'LabResultRecorded', 'LabResultEnteredInError']);
  });

  it('refuses a correction without a reason, without a change, of an unknown or malformed event id; nothing is recorded', async () => {
    expect((await vigil.http().post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`).send({ value: 80 }).expect(400)).body.errors[0].field).toBe(
      'reason',
    );
    expect(
      (await vigil.http().post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`).send({ value: 8, reason: 'same' }).expect(400)).body.errors[0].field,
    ).toBeDefined();
    expect(
      (await vigil.http().post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`).send({ unit: 'g/L', reason: 'unit' }).expect(400)).body.errors[0].field,
    ).toBe('unit');
    await vigil.http().post('/patients/TR-SAT-001/lab-results/5b0f6a36-3f7c-4c55-9d55-1f2f3a4b5c6d/corrections').send({ value: 80, reason: 'x' }).expect(404);
    expect((await vigil.http().post('/patients/TR-SAT-001/lab-results/not-an-id/void').send({ reason: 'x' }).expect(400)).body.errors[0].field).toBe('eventId');
    expect(await events()).toHaveLength(2);
  });

  it('refuses to correct a lab result through the dose route', async () => {
    await vigil.http().post(`/patients/TR-SAT-001/doses/${labId}/corrections`).send({ dose: 1, reason: 'x' }).expect(404);
    expect(await events()).toHaveLength(2);
  });

  it("corrects an adverse event's grade and seriousness over time", async () => {
    const ae = (
      await vigil
        .http()
        .post('/patients/TR-SAT-001/adverse-events')
        .send({ term: 'Pneumonia', onsetAt: daysAgo(2), grade: 2, serious: false })
        .expect(201)
    ).body.eventId;
    await vigil
      .http()
      .post(`/patients/TR-SAT-001/adverse-events/${ae}/corrections`)
      .send({ grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'], reason: 'Admitted to hospital' })
      .expect(201);
    const patient = (await vigil.http().get('/patients/TR-SAT-001').expect(200)).body;
    expect(patient.adverseEvents[ae].current).toMatchObject({ grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] });
  });
});

describe('Investigators correcting their own entries', () => {
  const setUp = async (correctionWindowMs: number) => {
    const vigil = await startVigil({ config: { correctionWindowMs } });
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    const lab = (
      await vigil
        .as('investigator', ['SAT'])
        .post('/patients/TR-SAT-001/lab-results')
        .send({ test: 'PLAT', value: 8, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201)
    ).body.eventId;
    return { vigil, lab };
  };

  it('may correct an entry of their own site while it is not locked', async () => {
    const { vigil, lab } = await setUp(3_600_000);
    try {
      await vigil.as('investigator', ['SAT']).post(`/patients/TR-SAT-001/lab-results/${lab}/corrections`).send({ value: 80, reason: 'typo' }).expect(201);
      await vigil.as('investigator', ['PSL']).post(`/patients/TR-SAT-001/lab-results/${lab}/void`).send({ reason: 'not mine' }).expect(403);
    } finally {
      await vigil.close();
    }
  });

  it('is refused with 403 once the entry is locked, while a data manager may still correct it', async () => {
    const { vigil, lab } = await setUp(0);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const refused = await vigil
        .as('investigator', ['SAT'])
        .post(`/patients/TR-SAT-001/lab-results/${lab}/corrections`)
        .send({ value: 80, reason: 'typo' })
        .expect(403);
      expect(refused.body.code).toBe('ENTRY_LOCKED');
      expect((await vigil.http().get('/patients/TR-SAT-001/events')).body).toHaveLength(2);
      await vigil.as('data_manager').post(`/patients/TR-SAT-001/lab-results/${lab}/corrections`).send({ value: 80, reason: 'typo' }).expect(201);
    } finally {
      await vigil.close();
    }
  });
});

describe('Replaying a corrected record', () => {
  it('shows the corrected value as it was clinically, and the original as Vigil knew it before the correction', async () => {
    const vigil = await startVigil();
    try {
      await vigil.http().post('/patients').send(enrolment()).expect(201);
      const collectedAt = daysAgo(3);
      const lab = (await vigil.http().post('/patients/TR-SAT-001/lab-results').send({ test: 'PLAT', value: 8, unit: '10*9/L', collectedAt }).expect(201)).body
        .eventId;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const beforeCorrection = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await vigil.as('data_manager').post(`/patients/TR-SAT-001/lab-results/${lab}/corrections`).send({ value: 80, reason: 'typo' }).expect(201);
      const clinicallyThen = new Date(Date.parse(collectedAt) + 3_600_000).toISOString();

      // The summary's latest platelet count then: the result as corrected, or as it stood before the correction was known.
      const latestOf = (body: { labs: { test: string; latest: { eventId: string; value: number } }[] }) => body.labs.find((l) => l.test === 'PLAT')?.latest;
      const asOf = (await vigil.http().get('/patients/TR-SAT-001/state').query({ asOf: clinicallyThen }).expect(200)).body;
      expect(latestOf(asOf)).toMatchObject({ eventId: lab, value: 80 });
      const known = (await vigil.http().get('/patients/TR-SAT-001/state').query({ asOf: clinicallyThen, asKnownAt: beforeCorrection }).expect(200)).body;
      expect(latestOf(known)).toMatchObject({ eventId: lab, value: 8 });
    } finally {
      await vigil.close();
    }
  });
});
