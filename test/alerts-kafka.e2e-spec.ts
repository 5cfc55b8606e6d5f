import { AlertOutbox, KAFKA_HEADERS } from '@vigil/messaging';
import { enrol, recordPlatelets, startVigil, VigilHarness } from './harness/vigil-harness';
import { acceptsIdempotentProducers, freshTopic, readTopic } from './support/kafka';
import { describeWithService, findKafka } from './support/services';

// Joining a consumer group takes a few seconds on a fresh broker.
jest.setTimeout(60_000);

describeWithService('Safety alerts published to Kafka (VIGIL_KAFKA_BROKERS)', findKafka, (kafka) => {
  let vigil: VigilHarness;
  let topic: string;

  beforeEach(async () => {
    topic = freshTopic('e2e');
    const idempotent = await acceptsIdempotentProducers(kafka.url);
    vigil = await startVigil({
      env: { VIGIL_KAFKA_BROKERS: kafka.url, VIGIL_KAFKA_ALERT_TOPIC: topic, VIGIL_KAFKA_IDEMPOTENT: String(idempotent), VIGIL_ALERT_RETRY_BASE_MS: '50' },
    });
  });
  afterEach(async () => {
    await vigil.close();
  });

  const alerts = async (patientId: string) => {
    await vigil.settled();
    return (await vigil.http().get('/alerts').query({ patientId }).expect(200)).body.items as Record<string, unknown>[];
  };

  it('publishes the raise of a 79 × 10⁹/L platelet alert, then its retraction once the count is corrected to 80, keyed by the alert id', async () => {
    await enrol(vigil, { patientId: 'TR-SAT-001', disease: 'RA' });
    const lab = await recordPlatelets(vigil, 'TR-SAT-001', 79);
    const [alert] = await alerts('TR-SAT-001');
    expect(alert).toMatchObject({ ruleId: 'TR-PLT', status: 'open', triggeredBy: lab.eventId });

    const correction = await vigil
      .as('data_manager', [], { sub: 'u-dana', name: 'Dana Data' })
      .post(`/patients/TR-SAT-001/lab-results/${lab.eventId}/corrections`)
      .send({ value: 80, reason: 'Transcription error: the report reads 80' })
      .expect(201);

    const messages = await readTopic(kafka.url, topic, 2);
    expect(messages.map((m) => [m.key, m.headers[KAFKA_HEADERS.eventType]])).toEqual([
      [alert.alertId, 'AlertRaised'],
      [alert.alertId, 'AlertRetracted'],
    ]);
    expect(JSON.parse(messages[0].value)).toMatchObject({
      type: 'AlertRaised',
      alertId: alert.alertId,
      ruleId: 'TR-PLT',
      patientId: 'TR-SAT-001',
      value: 79,
      unit: '10*9/L',
    });
    expect(JSON.parse(messages[1].value)).toMatchObject({ type: 'AlertRetracted', alertId: alert.alertId, correctionEventId: correction.body.eventId });
    expect(new Set(messages.map((m) => m.headers[KAFKA_HEADERS.eventId])).size).toBe(2);
    // Each delivery's attempt log keeps where the broker put the message.
    const onKafka = (await vigil.app.get(AlertOutbox).deliveriesOf(alert.alertId as string)).filter((d) => d.channel === 'kafka');
    expect(onKafka.map((d) => d.attemptLog.at(-1)?.detail)).toEqual(messages.map((m) => `${topic}/${m.partition}@${m.offset}`));
  });

  it('publishes the acknowledgement of an alert too, after its raise, so a consumer learns who acknowledged it', async () => {
    await enrol(vigil, { patientId: 'TR-SAT-002', disease: 'RA' });
    await recordPlatelets(vigil, 'TR-SAT-002', 60);
    const [alert] = await alerts('TR-SAT-002');
    await vigil
      .as('safety_officer', [], { sub: 'u-sofia', name: 'Sofia Safety' })
      .post(`/alerts/${alert.alertId}/acknowledge`)
      .send({ note: 'Called the site; platelets rechecked tomorrow' })
      .expect(200);

    const messages = await readTopic(kafka.url, topic, 2);
    expect(messages.map((m) => [m.key, m.headers[KAFKA_HEADERS.eventType]])).toEqual([
      [alert.alertId, 'AlertRaised'],
      [alert.alertId, 'AlertAcknowledged'],
    ]);
    expect(JSON.parse(messages[1].value)).toMatchObject({
      type: 'AlertAcknowledged',
      alertId: alert.alertId,
      by: { userId: 'u-sofia', name: 'Sofia Safety', role: 'safety_officer' },
      note: 'Called the site; platelets rechecked tomorrow',
    });
  });
});
