import { EVENT_STORE, EventStore, StoredEvent } from '@vigil/event-store';
import { EventRelay, KAFKA_EVENT_HEADERS } from '@vigil/messaging';
import { daysAgo, enrol, recordPlatelets, startVigil, VigilHarness } from '../harness/vigil-harness';
import { eventually } from '../harness/webhook-receiver';
import { acceptsIdempotentProducers, freshTopic, readTopic } from '../support/kafka';
import { describeWithService, findKafka } from '../support/services';

jest.setTimeout(90_000);

describeWithService("The log's outbound stream on Kafka (VIGIL_KAFKA_EVENT_TOPIC)", findKafka, (kafka) => {
  let vigil: VigilHarness;
  let topic: string;

  beforeAll(async () => {
    topic = freshTopic('events');
    const idempotent = await acceptsIdempotentProducers(kafka.url);
    vigil = await startVigil({
      env: {
        VIGIL_KAFKA_BROKERS: kafka.url,
        VIGIL_KAFKA_EVENT_TOPIC: topic,
        VIGIL_KAFKA_ALERT_TOPIC: freshTopic('alerts'),
        VIGIL_KAFKA_IDEMPOTENT: String(idempotent),
      },
    });
  });
  afterAll(() => vigil.close());

  const store = () => vigil.app.get<symbol, EventStore>(EVENT_STORE);
  const everything = async () => {
    const all: StoredEvent[] = [];
    for await (const batch of store().readAll()) all.push(...batch);
    return all;
  };

  const record = async (patientId: string, platelets: number[]) => {
    await enrol(vigil, { patientId, disease: 'RA' });
    for (const [day, value] of platelets.entries()) await recordPlatelets(vigil, patientId, value, daysAgo(10 - day));
  };

  it('delivers every event of a run, as stored, keyed by stream, in each stream’s order, across a restart', async () => {
    await record('TR-SAT-501', [150, 79]);
    await record('TR-SAT-502', [200]);
    await eventually(
      async () => (await everything()).some((e) => e.type === 'AlertRaised'),
      (raised) => raised,
    );
    await vigil.restart();
    await record('TR-SAT-503', [60, 140]);
    await recordPlatelets(vigil, 'TR-SAT-501', 90);
    await eventually(
      async () => (await everything()).filter((e) => e.type === 'AlertRaised').length,
      (raised) => raised >= 2,
    );
    await eventually(
      async () => {
        const head = await store().headPosition();
        return (await vigil.app.get(EventRelay).position()) === head;
      },
      (done) => done,
    );

    const stored = await everything();
    // Until every stored event is there: delivery is at least once, so a repeated batch does not count for a missing event.
    const ids = (read: readonly { headers: Record<string, string> }[]) => new Set(read.map((m) => m.headers[KAFKA_EVENT_HEADERS.eventId]));
    const messages = await readTopic(kafka.url, topic, (read) => stored.every((e) => ids(read).has(e.eventId)), 30_000);
    const received = messages.map((m) => ({ key: m.key, headers: m.headers, event: JSON.parse(m.value) as StoredEvent }));

    // Nothing lost; a duplicate (a batch published again after a crash) would carry the same id and the same bytes.
    expect(new Set(received.map((r) => r.event.eventId))).toEqual(new Set(stored.map((e) => e.eventId)));
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    for (const { key, headers, event } of received) {
      const original = byId.get(event.eventId)!;
      expect(event).toEqual(JSON.parse(JSON.stringify(original)));
      expect(key).toBe(original.streamId);
      expect(headers[KAFKA_EVENT_HEADERS.eventType]).toBe(original.type);
      expect(headers[KAFKA_EVENT_HEADERS.globalPosition]).toBe(String(original.globalPosition));
    }
    // Per stream, the versions come in order (read partition by partition, as a consumer does).
    const versions = new Map<string, number[]>();
    for (const { event } of received) versions.set(event.streamId, [...(versions.get(event.streamId) ?? []), event.streamVersion]);
    for (const [streamId, seen] of versions) {
      const deduplicated = seen.filter((v, i) => i === 0 || v !== seen[i - 1]);
      expect({ streamId, versions: deduplicated }).toEqual({ streamId, versions: deduplicated.map((_, i) => i + 1) });
    }
    // Patient streams, alert streams, both.
    expect([...versions.keys()].some((id) => id.startsWith('alert-'))).toBe(true);
  });
});
