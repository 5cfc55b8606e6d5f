import { alertStream } from '@vigil/domain';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { verifyWebhookSignature } from '@vigil/messaging';
import { ReadModelProgress } from '@vigil/projections';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';
import { eventually, WEBHOOK_SECRET, WebhookReceiver } from './harness/webhook-receiver';

describe('Safety alerts over HTTP (embedded store)', () => {
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
  /** Read-your-writes: the read models cover everything recorded so far, alerts raised because of it included. */
  const settled = async () => vigil.app.get(ReadModelProgress).waitForPosition(await store().headPosition());
  const enrol = (patientId: string, disease: string) => vigil.http().post('/patients').send(enrolment({ patientId, disease })).expect(201);
  const lab = (patientId: string, body: Record<string, unknown>) =>
    vigil
      .http()
      .post(`/patients/${patientId}/lab-results`)
      .send({ collectedAt: daysAgo(1), ...body })
      .expect(201);
  const alertsOf = async (patientId: string) => {
    await settled();
    return (await vigil.http().get('/alerts').query({ patientId }).expect(200)).body.items as Record<string, unknown>[];
  };

  it('raises TR-PLT for 79 × 10⁹/L platelets in an RA patient: listed, and POSTed to the webhook with a valid signature', async () => {
    await enrol('TR-SAT-001', 'RA');
    const recorded = await lab('TR-SAT-001', { test: 'PLAT', value: 79, unit: '10*9/L' });

    const items = await alertsOf('TR-SAT-001');
    expect(items).toEqual([
      expect.objectContaining({
        patientId: 'TR-SAT-001',
        siteId: 'SAT',
        ruleId: 'TR-PLT',
        status: 'open',
        triggeredBy: recorded.body.eventId,
        value: 79,
        unit: '10*9/L',
        threshold: 80,
        raisedAt: expect.any(String),
      }),
    ]);
    const alertId = items[0].alertId as string;

    const [delivery] = await eventually(
      () => receiver.received,
      (r) => r.length > 0,
    );
    expect(verifyWebhookSignature(delivery.body, delivery.headers['x-vigil-signature'] as string, WEBHOOK_SECRET)).toBe(true);
    expect(delivery.headers).toMatchObject({ 'x-vigil-alert-id': alertId, 'x-vigil-event-type': 'AlertRaised', 'x-vigil-event-id': expect.any(String) });
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'AlertRaised',
      alertId,
      ruleId: 'TR-PLT',
      patientId: 'TR-SAT-001',
      value: 79,
      metadata: { userId: 'vigil:safety-rules', role: 'system' },
    });

    const single = await vigil.http().get(`/alerts/${alertId}`).expect(200);
    expect(single.body).toMatchObject({ alertId, status: 'open' });
    const summary = await vigil.http().get('/patients/TR-SAT-001/safety').expect(200);
    expect(summary.body.openAlerts.map((a: { alertId: string }) => a.alertId)).toEqual([alertId]);
    expect(summary.body.labs).toEqual([expect.objectContaining({ test: 'PLAT', flags: ['TR-PLT'], latest: expect.objectContaining({ normalisedValue: 79 }) })]);
  });

  it('raises nothing for exactly 80 × 10⁹/L, and sends nothing', async () => {
    await enrol('TR-SAT-002', 'RA');
    await lab('TR-SAT-002', { test: 'PLAT', value: 80, unit: '10*9/L' });
    expect(await alertsOf('TR-SAT-002')).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toEqual([]);
  });

  it('raises TR-ALT for ALT at 6 × ULN in an RA patient, and CTCAE-LAB in an AIH patient (the exception removes the threshold, not grade 3)', async () => {
    await enrol('TR-SAT-003', 'RA');
    await enrol('TR-SAT-004', 'AIH');
    await lab('TR-SAT-003', { test: 'ALT', value: 240, unit: 'U/L', referenceRange: { high: 40 } });
    await lab('TR-SAT-004', { test: 'ALT', value: 240, unit: 'U/L', referenceRange: { high: 40 } });
    expect((await alertsOf('TR-SAT-003')).map((a) => a.ruleId)).toEqual(['TR-ALT']);
    // The AIH exception removes only the protocol threshold: 6 × ULN is CTCAE grade 3, which always alerts (issue 11).
    expect((await alertsOf('TR-SAT-004')).map((a) => [a.ruleId, a.grade])).toEqual([['CTCAE-LAB', 3]]);
  });

  it('raises TR-CRCL for a creatinine giving a clearance below 60 mL/min in an RA patient, not in an SLE patient', async () => {
    // Woman born 1970, 65 kg, creatinine 1.5 mg/dL: Cockcroft-Gault ≈ 43 mL/min.
    await enrol('TR-SAT-005', 'RA');
    await enrol('TR-SAT-006', 'SLE');
    await lab('TR-SAT-005', { test: 'CREAT', value: 1.5, unit: 'mg/dL' });
    await lab('TR-SAT-006', { test: 'CREAT', value: 1.5, unit: 'mg/dL' });
    expect((await alertsOf('TR-SAT-005')).map((a) => a.ruleId)).toEqual(['TR-CRCL']);
    expect(await alertsOf('TR-SAT-006')).toEqual([]);
  });

  it('records one AlertAcknowledged however often the alert is acknowledged, and answers with the acknowledged alert', async () => {
    await enrol('TR-SAT-007', 'RA');
    await lab('TR-SAT-007', { test: 'PLAT', value: 40, unit: '10*9/L' });
    const [alert] = await alertsOf('TR-SAT-007');

    const first = await vigil.http().post(`/alerts/${alert.alertId}/acknowledge`).send({ note: 'patient called, recount tomorrow' }).expect(200);
    expect(first.body).toMatchObject({
      alertId: alert.alertId,
      status: 'acknowledged',
      acknowledgedBy: 'dev',
      acknowledgementNote: 'patient called, recount tomorrow',
      acknowledgedAt: expect.any(String),
    });
    const second = await vigil.http().post(`/alerts/${alert.alertId}/acknowledge`).send({}).expect(200);
    expect(second.body).toMatchObject({ status: 'acknowledged', acknowledgedAt: first.body.acknowledgedAt });

    const stream = await store().readStream(alertStream(alert.alertId as string));
    expect(stream.map((e) => e.type)).toEqual(['AlertRaised', 'AlertAcknowledged']);
    const acknowledged = await vigil.http().get('/alerts').query({ status: 'acknowledged' }).expect(200);
    expect(acknowledged.body.items.map((a: { alertId: string }) => a.alertId)).toEqual([alert.alertId]);
    expect((await vigil.http().get('/alerts').query({ status: 'open', patientId: 'TR-SAT-007' }).expect(200)).body.items).toEqual([]);
  });

  it('answers 404 for an unknown alert or patient, and 400 naming the field for a bad filter', async () => {
    await vigil.http().get('/alerts/6f1c0a52-0000-5000-8000-000000000000').expect(404);
    await vigil.http().post('/alerts/6f1c0a52-0000-5000-8000-000000000000/acknowledge').send({}).expect(404);
    await vigil.http().get('/patients/TR-SAT-999/safety').expect(404);
    const bad = await vigil.http().get('/alerts').query({ status: 'shelved' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
  });

  it('pages the alert list newest first with a cursor', async () => {
    await enrol('TR-SAT-008', 'RA');
    // Newest raised first. Each result is judged before the next is recorded: alerts the reactor raises in one batch
    // are appended side by side, and on PostgreSQL they may commit in either order.
    for (const value of [70, 60, 50]) {
      await lab('TR-SAT-008', { test: 'PLAT', value, unit: '10*9/L' });
      await settled();
    }
    const first = await vigil.http().get('/alerts').query({ patientId: 'TR-SAT-008', limit: 2 }).expect(200);
    expect(first.body.items.map((a: { value: number }) => a.value)).toEqual([50, 60]);
    const second = await vigil.http().get('/alerts').query({ patientId: 'TR-SAT-008', limit: 2, cursor: first.body.nextCursor }).expect(200);
    expect(second.body.items.map((a: { value: number }) => a.value)).toEqual([70]);
    expect(second.body.nextCursor).toBeUndefined();
  });
});
