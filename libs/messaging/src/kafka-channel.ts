import type { Kafka, KafkaConfig, Message, Producer, SASLOptions } from 'kafkajs';
import type { SignedCheckpoint, StoredEvent } from '@vigil/event-store';
import { AlertChannel, DeliveryFailedError, DeliveryReceipt } from './alert-channel';
import { alertIdOf, alertMessageBody } from './alert-message';
import type { CheckpointChannel } from './checkpoint-channel';
import { CHECKPOINT_SIGNED, checkpointMessageBody } from './checkpoint-message';

export interface KafkaChannelOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Topic the messages go to (alerts: `vigil.alerts`; checkpoints: `vigil.checkpoints`). */
  topic: string;
  clientId?: string;
  ssl?: boolean;
  sasl?: SASLOptions;
  /**
   * Idempotent producer (default true): a resend by the client within its session is written once
   * by the broker, in order. Only for brokers without idempotence support (test brokers) set false.
   */
  idempotent?: boolean;
  /** How long one delivery may take, connecting included (default 10 s): a broker that hangs counts as down. */
  timeoutMs?: number;
}

/** Kafka record headers every alert message carries: receivers deduplicate by the event id. */
export const KAFKA_HEADERS = { eventId: 'vigil-event-id', eventType: 'vigil-event-type', alertId: 'vigil-alert-id' } as const;

/**
 * Publishes each alert event to a Kafka topic, keyed by its alert id: every event of one alert lands
 * in one partition, so a consumer never reads a retraction before its raise. The value is the same
 * JSON as the webhook body (alertMessageBody); the event id, type and alert id ride in headers.
 * A delivery succeeds once every in-sync replica has the record (acks = all).
 *
 * The kafka-*.ts files are the only ones that import kafkajs (docs/architecture.md: an adapter alone imports its driver).
 */
export class KafkaChannel implements AlertChannel {
  readonly name = 'kafka';
  private readonly producer: KafkaProducer;

  constructor(options: KafkaChannelOptions) {
    this.producer = new KafkaProducer(options);
  }

  async deliver(alertEvent: StoredEvent): Promise<DeliveryReceipt> {
    const alertId = alertIdOf(alertEvent);
    return this.producer.send(this.name, {
      key: alertId,
      value: alertMessageBody(alertEvent),
      headers: { [KAFKA_HEADERS.eventId]: alertEvent.eventId, [KAFKA_HEADERS.eventType]: alertEvent.type, [KAFKA_HEADERS.alertId]: alertId },
    });
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** Kafka record headers of a checkpoint message: its type, and its tree size (receivers deduplicate by key id and tree size). */
export const KAFKA_CHECKPOINT_HEADERS = { eventType: KAFKA_HEADERS.eventType, treeSize: 'vigil-tree-size' } as const;

/**
 * Publishes each signed checkpoint to its own topic (VIGIL_KAFKA_CHECKPOINT_TOPIC, default `vigil.checkpoints`),
 * keyed by the signing key id: one key, one partition, so checkpoints are read in the order they were signed.
 * The value is the `CheckpointSigned` JSON (checkpoint-message.ts).
 */
export class KafkaCheckpointChannel implements CheckpointChannel {
  readonly name = 'kafka';
  private readonly producer: KafkaProducer;

  constructor(options: KafkaChannelOptions) {
    this.producer = new KafkaProducer(options, 'vigil-checkpointer');
  }

  publish(checkpoint: SignedCheckpoint): Promise<DeliveryReceipt> {
    return this.producer.send(this.name, {
      key: checkpoint.keyId,
      value: checkpointMessageBody(checkpoint),
      headers: { [KAFKA_CHECKPOINT_HEADERS.eventType]: CHECKPOINT_SIGNED, [KAFKA_CHECKPOINT_HEADERS.treeSize]: String(checkpoint.treeSize) },
    });
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** A kafkajs client for these options, kafkajs loaded on first use: a start without Kafka does not pay for loading it. */
export function kafkaClient(options: Omit<KafkaChannelOptions, 'topic'>, fallbackClientId: string): Kafka {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, in constructors.
  const kafkajs = require('kafkajs') as typeof import('kafkajs');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const config: KafkaConfig = {
    clientId: options.clientId ?? fallbackClientId,
    brokers: options.brokers,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    // The outbox retries failed deliveries with its own persisted backoff: the client retries only
    // briefly, so a delivery fails (and is logged, and retried later) instead of hanging.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: kafkajs.logLevel.NOTHING,
    ...(options.ssl ? { ssl: true } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
  };
  return new kafkajs.Kafka(config);
}

/** One producer, connected on first use and started afresh after a failure; sends with acks = all. */
export class KafkaProducer {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  /** `fallbackClientId` names the client when the options do not (VIGIL_KAFKA_CLIENT_ID always does). */
  constructor(
    private readonly options: KafkaChannelOptions,
    fallbackClientId = 'vigil-notifier',
  ) {
    if (options.brokers.length === 0) throw new Error('a Kafka channel needs at least one broker');
    if (!options.topic) throw new Error('a Kafka channel needs a topic');
    this.kafka = kafkaClient(options, fallbackClientId);
  }

  async send(channel: string, message: Message): Promise<DeliveryReceipt> {
    const [receipt] = await this.sendAll(channel, [message]);
    return receipt;
  }

  /** Several messages in one request, in order (one key's messages stay in order in their partition). */
  async sendAll(channel: string, messages: Message[]): Promise<DeliveryReceipt[]> {
    try {
      const producer = await this.connected();
      const written = await producer.send({ topic: this.options.topic, acks: -1, timeout: this.options.timeoutMs ?? 10_000, messages });
      return written.map((w) => ({ detail: `${this.options.topic}/${w.partition}@${w.baseOffset ?? w.offset}` }));
    } catch (error) {
      // A producer that failed may hold a broken connection: start afresh on the next attempt.
      await this.close();
      throw new DeliveryFailedError(
        channel,
        `publishing to Kafka topic ${this.options.topic} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: this.options.idempotent ?? true,
        // Required by an idempotent producer for in-order writes (a batch of sendAll is one request).
        maxInFlightRequests: 1,
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }
}
