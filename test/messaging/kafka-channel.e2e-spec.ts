import { DeliveryFailedError, KAFKA_HEADERS, KafkaChannel, alertMessageBody } from '@vigil/messaging';
import type { StoredEvent } from '@vigil/event-store';
import { acceptsIdempotentProducers, freshTopic, readTopic } from '../support/kafka';
import { describeWithService, findKafka } from '../support/services';

const alertEvent = (alertId: string, type: string, version: number, data: Record<string, unknown> = {}): StoredEvent => ({
  eventId: `0190${version.toString().padStart(4, '0')}-0000-7000-8000-${alertId.slice(-12).padStart(12, '0')}`,
  streamId: `alert-${alertId}`,
  streamVersion: version,
  type,
  schemaVersion: 1,
  data: { alertId, patientId: 'TR-SAT-001', ruleId: 'TR-PLT', ...data },
  metadata: {
    userId: 'vigil:safety-rules',
    role: 'system',
    occurredAt: '2026-11-20T08:00:00.000Z',
    correlationId: 'c-1',
    recordedAt: '2026-11-20T08:00:01.000Z',
    commandId: `cmd-${version}`,
  },
  globalPosition: version,
  hash: 'h',
  previousHash: null,
});

describe('Kafka alert channel without a broker', () => {
  it('fails a delivery with a DeliveryFailedError naming the topic, quickly, when no broker answers', async () => {
    const channel = new KafkaChannel({ brokers: ['127.0.0.1:1'], topic: 'vigil.alerts', timeoutMs: 500 });
    try {
      const delivery = channel.deliver(alertEvent('000000000001', 'AlertRaised', 1));
      await expect(delivery).rejects.toBeInstanceOf(DeliveryFailedError);
      await expect(delivery).rejects.toThrow(/publishing to Kafka topic vigil\.alerts failed/);
    } finally {
      await channel.close();
    }
  });

  it('refuses to be built without brokers or topic', () => {
    expect(() => new KafkaChannel({ brokers: [], topic: 'vigil.alerts' })).toThrow(/at least one broker/);
    expect(() => new KafkaChannel({ brokers: ['127.0.0.1:9092'], topic: '' })).toThrow(/topic/);
  });
});

// Joining a consumer group takes a few seconds on a fresh broker.
jest.setTimeout(60_000);

describeWithService('Kafka alert channel', findKafka, (kafka) => {
  let idempotent: boolean;
  const channels: KafkaChannel[] = [];
  const channel = (topic: string) => {
    const made = new KafkaChannel({ brokers: kafka.url.split(','), topic, idempotent, timeoutMs: 10_000 });
    channels.push(made);
    return made;
  };

  beforeAll(async () => {
    idempotent = await acceptsIdempotentProducers(kafka.url);
  });
  afterEach(async () => {
    for (const made of channels.splice(0)) await made.close();
  });

  it('publishes each alert event keyed by its alert id, with the webhook body and the event id, type and alert id in headers', async () => {
    const topic = freshTopic('alerts');
    const raised = alertEvent('00000000000a', 'AlertRaised', 1, { value: 79, unit: '10*9/L', threshold: 80 });
    const receipt = await channel(topic).deliver(raised);

    expect(receipt.detail).toMatch(new RegExp(`^${topic}/\\d+@\\d+$`));
    const [message] = await readTopic(kafka.url, topic, 1);
    expect(message.key).toBe('00000000000a');
    expect(message.value).toBe(alertMessageBody(raised));
    expect(message.headers).toEqual({
      [KAFKA_HEADERS.eventId]: raised.eventId,
      [KAFKA_HEADERS.eventType]: 'AlertRaised',
      [KAFKA_HEADERS.alertId]: '00000000000a',
    });
    expect(JSON.parse(message.value)).toMatchObject({ type: 'AlertRaised', alertId: '00000000000a', value: 79, ruleId: 'TR-PLT' });
  });

  it('keeps the events of one alert in one partition, in order: a consumer never reads a retraction before its raise', async () => {
    const topic = freshTopic('order');
    const out = channel(topic);
    const alerts = ['0000000000b1', '0000000000b2', '0000000000b3'];
    for (const alertId of alerts) await out.deliver(alertEvent(alertId, 'AlertRaised', 1));
    for (const alertId of alerts) await out.deliver(alertEvent(alertId, 'AlertRetracted', 2, { reason: 'corrected to 80' }));

    const messages = await readTopic(kafka.url, topic, 6);
    expect(messages).toHaveLength(6);
    for (const alertId of alerts) {
      const ofAlert = messages.filter((m) => m.key === alertId);
      expect(new Set(ofAlert.map((m) => m.partition)).size).toBe(1);
      expect(ofAlert.map((m) => m.headers[KAFKA_HEADERS.eventType])).toEqual(['AlertRaised', 'AlertRetracted']);
    }
  });

  it('reconnects after close: a later delivery goes through', async () => {
    const topic = freshTopic('reconnect');
    const out = channel(topic);
    await out.deliver(alertEvent('0000000000c1', 'AlertRaised', 1));
    await out.close();
    await out.deliver(alertEvent('0000000000c2', 'AlertRaised', 1));
    expect((await readTopic(kafka.url, topic, 2)).map((m) => m.key).sort()).toEqual(['0000000000c1', '0000000000c2']);
  });
});
