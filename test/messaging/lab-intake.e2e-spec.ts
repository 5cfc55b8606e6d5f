import { Kafka, logLevel } from 'kafkajs';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { type DeadLetter, KAFKA_DEAD_LETTER_HEADERS } from '@vigil/messaging';
import { daysAgo, enrol, startVigil, VigilHarness } from '../harness/vigil-harness';
import { eventually } from '../harness/webhook-receiver';
import { acceptsIdempotentProducers, freshTopic, readTopic } from '../support/kafka';
import { describeWithService, findKafka } from '../support/services';

jest.setTimeout(90_000);

describeWithService('Lab results from a central lab through Kafka (VIGIL_KAFKA_LAB_TOPIC)', findKafka, (kafka) => {
  let vigil: VigilHarness;
  let labTopic: string;
  let deadLetters: string;

  /** What the central lab's system does: publish one JSON value per result, keyed by patient. */
  const publish = async (...values: string[]) => {
    const producer = new Kafka({ clientId: 'central-lab', brokers: kafka.url.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: labTopic, acks: -1, messages: values.map((value) => ({ key: 'lab-feed', value })) });
    } finally {
      await producer.disconnect();
    }
  };
  const store = () => vigil.app.get<symbol, EventStore>(EVENT_STORE);
  const labResultsOf = async (patientId: string) => (await store().readStream(`patient-${patientId}`)).filter((e) => e.type === 'LabResultRecorded');

  beforeAll(async () => {
    labTopic = freshTopic('labs');
    deadLetters = `${labTopic}.refused`;
    // The lab published before Vigil joined: a new consumer group starts from the earliest offset.
    await publish(JSON.stringify({ note: 'created the topic' }));
    const idempotent = await acceptsIdempotentProducers(kafka.url);
    vigil = await startVigil({
      env: {
        VIGIL_KAFKA_BROKERS: kafka.url,
        VIGIL_KAFKA_IDEMPOTENT: String(idempotent),
        VIGIL_KAFKA_ALERT_TOPIC: freshTopic('alerts'),
        VIGIL_KAFKA_EVENT_TOPIC: freshTopic('events'),
        VIGIL_KAFKA_LAB_TOPIC: labTopic,
        VIGIL_KAFKA_LAB_DLQ_TOPIC: deadLetters,
        VIGIL_KAFKA_GROUP_ID: freshTopic('vigil-labs'),
      },
    });
    await enrol(vigil, { patientId: 'TR-SAT-601', disease: 'RA' });
  });
  afterAll(() => vigil.close());

  it('records a lab message as POST /patients/:id/lab-results would, under the lab intake identity, and raises its alert', async () => {
    const collectedAt = daysAgo(1);
    await publish(JSON.stringify({ patientId: 'TR-SAT-601', idempotencyKey: 'ACC-2026-000117', test: 'PLAT', value: 79, unit: '10*9/L', collectedAt }));
    const [recorded] = await eventually(
      () => labResultsOf('TR-SAT-601'),
      (results) => results.length === 1,
      30_000,
    );
    expect(recorded.data).toMatchObject({ test: 'PLAT', value: 79, unit: '10*9/L' });
    expect(recorded.metadata).toMatchObject({ userId: 'vigil:lab-intake', role: 'admin', commandId: 'ACC-2026-000117', correlationId: 'ACC-2026-000117' });

    await vigil.settled();
    const alerts = (await vigil.http().get('/alerts').query({ patientId: 'TR-SAT-601' }).expect(200)).body.items as Record<string, unknown>[];
    expect(alerts).toEqual([expect.objectContaining({ ruleId: 'TR-PLT', triggeredBy: recorded.eventId })]);
  });

  it('records a message read twice (the same accession number) once', async () => {
    const message = JSON.stringify({
      patientId: 'TR-SAT-601',
      idempotencyKey: 'ACC-2026-000118',
      test: 'HGB',
      value: 13.1,
      unit: 'g/dL',
      collectedAt: daysAgo(1),
    });
    await publish(message, message);
    await eventually(
      () => labResultsOf('TR-SAT-601'),
      (results) => results.some((r) => r.metadata.commandId === 'ACC-2026-000118'),
      30_000,
    );
    // A later message behind both shows both were read.
    await publish(
      JSON.stringify({ patientId: 'TR-SAT-601', idempotencyKey: 'ACC-2026-000119', test: 'HGB', value: 13.0, unit: 'g/dL', collectedAt: daysAgo(0) }),
    );
    const results = await eventually(
      () => labResultsOf('TR-SAT-601'),
      (r) => r.some((e) => e.metadata.commandId === 'ACC-2026-000119'),
      30_000,
    );
    expect(results.filter((r) => r.metadata.commandId === 'ACC-2026-000118')).toHaveLength(1);
  });

  it('sends what HTTP would refuse to the dead-letter topic with the reason, and records nothing for it', async () => {
    const headBefore = await store().headPosition();
    const refused = [
      '{"patientId": "TR-SAT-601", "test": ',
      JSON.stringify({ patientId: 'TR-SAT-601', idempotencyKey: 'ACC-2026-000120', test: 'PLAT', value: 'low', unit: '10*9/L', collectedAt: daysAgo(1) }),
      JSON.stringify({ patientId: 'TR-SAT-999', idempotencyKey: 'ACC-2026-000121', test: 'PLAT', value: 150, unit: '10*9/L', collectedAt: daysAgo(1) }),
      JSON.stringify({ patientId: 'TR-SAT-601', test: 'PLAT', value: 150, unit: '10*9/L', collectedAt: daysAgo(1) }),
    ];
    await publish(...refused);
    // The first message of the topic (no patient at all) was refused too, when the group first read it.
    const letters = await readTopic(kafka.url, deadLetters, refused.length + 1, 30_000);
    // The value carries the reason, where it was read and the message as read; the headers say the same.
    const values = letters.map((l) => JSON.parse(l.value) as DeadLetter);
    expect(values.map(({ value, status, reason }) => [value, status, reason])).toEqual([
      [JSON.stringify({ note: 'created the topic' }), 400, 'patientId: is required: the trial patient code'],
      [refused[0], 400, 'message: must be a JSON object: the lab-results body plus patientId and idempotencyKey'],
      [refused[1], 400, 'value: must be a number'],
      [refused[2], 404, 'patient TR-SAT-999 is not enrolled'],
      [refused[3], 400, "idempotencyKey: is required: an id of this result that never changes (the lab's accession number)"],
    ]);
    for (const [i, letter] of letters.entries()) {
      expect(letter.key).toBe('lab-feed');
      expect(letter.headers[KAFKA_DEAD_LETTER_HEADERS.status]).toBe(String(values[i].status));
      expect(letter.headers[KAFKA_DEAD_LETTER_HEADERS.reason]).toBe(values[i].reason);
      const { topic, partition, offset } = values[i].source;
      expect(topic).toBe(labTopic);
      expect(letter.headers[KAFKA_DEAD_LETTER_HEADERS.source]).toBe(`${topic}/${partition}@${offset}`);
    }
    expect(values[1].source).toEqual({ topic: labTopic, partition: expect.any(Number), offset: expect.stringMatching(/^\d+$/) });
    expect(await store().headPosition()).toBe(headBefore);
  });
});
