/**
 * Kafka for tests: reading a topic as a receiver would, and telling whether the broker found by
 * services.ts takes idempotent producers. librdkafka's mock cluster (`kcat -X test.mock.num.brokers=3`,
 * what CI runs) speaks the protocol but reports controller id 0 while its brokers are 1..N, so an
 * idempotent producer cannot start there; real Kafka (testcontainers, a KAFKA_BROKERS cluster) can.
 */
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

const brokersOf = (url: string) =>
  url
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);

/** True when an idempotent producer can write to the broker; false (said aloud) on the mock cluster. */
export async function acceptsIdempotentProducers(url: string): Promise<boolean> {
  const producer = new Kafka({ clientId: 'vigil-test-probe', brokers: brokersOf(url), logLevel: logLevel.NOTHING, retry: { retries: 1 } }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  try {
    await producer.connect();
    await producer.send({ topic: 'vigil-test-probe', acks: -1, messages: [{ value: 'probe' }] });
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/Broker \d+ not found in the cached metadata/.test(message)) throw error;
    console.warn(`⚠️  Kafka at ${url} refuses idempotent producers (${message}): a librdkafka mock cluster. Testing with VIGIL_KAFKA_IDEMPOTENT=false.`);
    return false;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Reads a topic from its beginning, as a fresh consumer group, until `count` messages came (or, given a predicate, until it holds) or time ran out. */
export async function readTopic(
  url: string,
  topic: string,
  count: number | ((read: readonly ReadMessage[]) => boolean),
  timeoutMs = 20_000,
): Promise<ReadMessage[]> {
  const done = typeof count === 'number' ? (read: readonly ReadMessage[]) => read.length >= count : count;
  const consumer = new Kafka({ clientId: 'vigil-test-reader', brokers: brokersOf(url), logLevel: logLevel.NOTHING }).consumer({
    groupId: `vigil-test-${randomUUID()}`,
    // A lone member of a fresh group: nothing to wait for before the first fetch.
    sessionTimeout: 6_000,
    rebalanceTimeout: 1_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  const read: ReadMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        read.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done(read) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return read;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** A topic no other test wrote to. */
export const freshTopic = (name: string): string => `vigil-test-${name}-${randomUUID().slice(0, 8)}`;
