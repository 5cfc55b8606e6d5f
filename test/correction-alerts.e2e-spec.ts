import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { verifyWebhookSignature } from '@vigil/messaging';
import { ReadModelProgress } from '@vigil/projections';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';
import { eventually, WEBHOOK_SECRET, WebhookReceiver } from './harness/webhook-receiver';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Alerts and read models follow corrections, and survive a rebuild unchanged (embedded store)', () => {
  let receiver: WebhookReceiver;
  let vigil: VigilHarness;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    await receiver.listen();
    vigil = await startVigil({
      env: receiver.env,
    });
  });

  afterEach(async () => {
    await vigil.close();
    await receiver.close();
  });

  const store = () => vigil.app.get<symbol, EventStore>(EVENT_STORE);
  const settled = async () => vigil.app.get(ReadModelProgress).waitForPosition(await store().headPosition());
  const dataManager = () => vigil.as('data_manager', [], { sub: 'u-dana', name: 'Dana Data' });
  const enrol = (patientId: string) =>
    vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId, disease: 'RA' }))
      .expect(201);
  const lab = async (patientId: string, body: Record<string, unknown>): Promise<string> =>
    (
      await vigil
        .http()
        .post(`/patients/${patientId}/lab-results`)
        .send({ collectedAt: daysAgo(1), ...body })
        .expect(201)
    ).body.eventId;
  const correct = async (patientId: string, labId: string, body: Record<string, unknown>): Promise<string> =>
    (await dataManager().post(`/patients/${patientId}/lab-results/${labId}/corrections`).send(body).expect(201)).body.eventId;
  const alerts = async (query: Record<string, string> = {}) => {
    await settled();
    return (
      await vigil
        .http()
        .get('/alerts')
        .query({ limit: 500, ...query })
        .expect(200)
    ).body.items as Record<string, unknown>[];
  };
  const safety = async (patientId: string) => {
    await settled();
    const { asOf: _asOf, ...summary } = (await vigil.http().get(`/patients/${patientId}/safety`).expect(200)).body;
    return summary as Record<string, unknown> & { labs: Record<string, unknown>[]; openAlerts: unknown[] };
  };
  const liveBuild = async (name: string) => (await vigil.http().get(`/projections/${name}`).expect(200)).body.liveBuild as number;

  it('retracts the platelet alert of a count corrected from 8 to 80, delivers the retraction once, and a rebuild changes and sends nothing', async () => {
    await enrol('TR-SAT-001');
    const labId = await lab('TR-SAT-001', { test: 'PLAT', value: 8, unit: '10*9/L' });
    const [raised] = await alerts({ patientId: 'TR-SAT-001' });
    expect(raised).toMatchObject({ ruleId: 'TR-PLT', status: 'open', value: 8, triggeredBy: labId });
    await eventually(
      () => receiver.eventTypes(),
      (types) => types.length === 1,
    );
    expect(receiver.eventTypes()).toEqual(['AlertRaised']);

    const correctionId = await correct('TR-SAT-001', labId, { value: 80, reason: 'Transcription error: the report reads 80' });
    const retracted = await alerts({ status: 'retracted' });
    expect(retracted).toEqual([
      expect.objectContaining({
        alertId: raised.alertId,
        status: 'retracted',
        retractedBy: correctionId,
        retractionReason: 'Transcription error: the report reads 80',
        value: 8,
      }),
    ]);
    expect(await alerts({ status: 'open' })).toEqual([]);
    await eventually(
      () => receiver.eventTypes(),
      (types) => types.length === 2,
    );
    const retraction = receiver.received[1];
    expect(retraction.headers).toMatchObject({ 'x-vigil-event-type': 'AlertRetracted', 'x-vigil-alert-id': raised.alertId });
    expect(verifyWebhookSignature(retraction.body, retraction.headers['x-vigil-signature'] as string, WEBHOOK_SECRET)).toBe(true);
    expect(JSON.parse(retraction.body)).toMatchObject({
      type: 'AlertRetracted',
      alertId: raised.alertId,
      correctionEventId: correctionId,
      reason: 'Transcription error: the report reads 80',
    });

    const summary = await safety('TR-SAT-001');
    expect(summary.openAlerts).toEqual([]);
    expect(summary.labs).toEqual([expect.objectContaining({ test: 'PLAT', latest: expect.objectContaining({ value: 80, corrected: true }) })]);
    expect(summary.labs[0].flags).not.toContain('TR-PLT');

    // Rebuild both read models beside the live ones.
    const alertsBefore = await alerts();
    const headBefore = await store().headPosition();
    const builds = { alert_list: await liveBuild('alert_list'), safety: await liveBuild('safety') };
    const jobs = [
      (await dataManager().post('/projections/alert-list/rebuild').expect(202)).body,
      (await dataManager().post('/projections/safety/rebuild').expect(202)).body,
    ];
    expect(jobs).toEqual([
      expect.objectContaining({ jobId: expect.any(String), projection: 'alert_list', state: 'running' }),
      expect.objectContaining({ jobId: expect.any(String), projection: 'safety', state: 'running' }),
    ]);
    for (const name of ['alert_list', 'safety']) {
      const done = await eventually(
        () =>
          vigil
            .http()
            .get(`/projections/${name}`)
            .then((r) => r.body),
        (p) => p.rebuild?.state === 'done' && p.liveBuild !== builds[name as keyof typeof builds],
      );
      expect(done.builds).toEqual([expect.objectContaining({ build: done.liveBuild, status: 'live' })]);
    }

    expect(await alerts()).toEqual(alertsBefore);
    expect(await safety('TR-SAT-001')).toEqual(summary);
    expect(await store().headPosition()).toBe(headBefore); // no alert event appended again
    await pause(300); // the notifier polls every 20 ms: anything sent again would have arrived
    expect(receiver.eventTypes()).toEqual(['AlertRaised', 'AlertRetracted']);

    const history = (await vigil.http().get('/patients/TR-SAT-001/history').expect(200)).body.entries as Record<string, unknown>[];
    expect(history.map((e) => e.type)).toEqual(['PatientEnrolled', 'LabResultRecorded', 'LabResultCorrected']);
    expect(history[2]).toMatchObject({
      eventId: correctionId,
      reason: 'Transcription error: the report reads 80',
      changes: expect.arrayContaining([{ field: 'value', old: 8, new: 80 }]),
    });
  });

  it('raises a new alert, keyed by the correction, when a correction takes a count below the threshold', async () => {
    await enrol('TR-SAT-002');
    const labId = await lab('TR-SAT-002', { test: 'PLAT', value: 120, unit: '10*9/L' });
    expect(await alerts({ patientId: 'TR-SAT-002' })).toEqual([]);
    const correctionId = await correct('TR-SAT-002', labId, { value: 12, reason: 'Recount: 12, not 120' });
    expect(await alerts({ patientId: 'TR-SAT-002' })).toEqual([
      expect.objectContaining({ ruleId: 'TR-PLT', status: 'open', value: 12, triggeredBy: correctionId }),
    ]);
    await eventually(
      () => receiver.eventTypes(),
      (types) => types.length === 1,
    );
    expect(receiver.eventTypes()).toEqual(['AlertRaised']);
  });

  it('retracts the alert of a result voided as entered in error, naming the void and its reason', async () => {
    await enrol('TR-SAT-003');
    const labId = await lab('TR-SAT-003', { test: 'PLAT', value: 30, unit: '10*9/L' });
    const [raised] = await alerts({ patientId: 'TR-SAT-003' });
    const voided = (await dataManager().post(`/patients/TR-SAT-003/lab-results/${labId}/void`).send({ reason: 'Sample of another patient' }).expect(201)).body
      .eventId;
    expect(await alerts({ patientId: 'TR-SAT-003' })).toEqual([
      expect.objectContaining({ alertId: raised.alertId, status: 'retracted', retractedBy: voided, retractionReason: 'Sample of another patient' }),
    ]);
    expect((await safety('TR-SAT-003')).labs).toEqual([]);
    await eventually(
      () => receiver.eventTypes(),
      (types) => types.length === 2,
    );
    expect(receiver.eventTypes()).toEqual(['AlertRaised', 'AlertRetracted']);
  });

  it("recomputes a later result's baseline and grade when the baseline value is corrected", async () => {
    // docs/safety-rules.md §2: ALT 200 U/L (ULN 40) is 2 × an abnormal baseline of 100 (grade 1), but 5 × ULN over a normal baseline of 30 (grade 2).
    await enrol('TR-SAT-004');
    const baselineId = await lab('TR-SAT-004', { test: 'ALT', value: 100, unit: 'U/L', referenceRange: { high: 40 }, collectedAt: daysAgo(10) });
    await vigil
      .http()
      .post('/patients/TR-SAT-004/doses')
      .send({ dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(9) })
      .expect(201);
    await lab('TR-SAT-004', { test: 'ALT', value: 200, unit: 'U/L', referenceRange: { high: 40 }, collectedAt: daysAgo(2) });
    const before = (await safety('TR-SAT-004')).labs[0];
    expect(before).toMatchObject({ test: 'ALT', latest: expect.objectContaining({ value: 200 }), baseline: expect.objectContaining({ value: 100 }), grade: 1 });

    await correct('TR-SAT-004', baselineId, { value: 30, reason: 'Wrong units on the baseline report' });
    const after = (await safety('TR-SAT-004')).labs[0];
    expect(after).toMatchObject({ test: 'ALT', latest: expect.objectContaining({ value: 200 }), baseline: expect.objectContaining({ value: 30 }), grade: 2 });
  });
});
