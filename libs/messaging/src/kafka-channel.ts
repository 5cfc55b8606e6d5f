import type { Kafka, KafkaConfig, Producer, SASLOptions } from 'kafkajs';
import type { StoredEvent } from '@vigil/event-store';
import { AlertChannel, DeliveryFailedError, DeliveryReceipt } from './alert-channel';
import { alertIdOf, alertMessageBody } from './alert-message';

export interface KafkaChannelOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Topic the alert events go to (default `vigil.alerts`). */
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
 * This is the only file that imports kafkajs (docs/architecture.md: an adapter alone imports its driver).
 */
export class KafkaChannel implements AlertChannel {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(private readonly options: KafkaChannelOptions) {
    if (options.brokers.length === 0) throw new Error('a Kafka channel needs at least one broker');
    if (!options.topic) throw new Error('a Kafka channel needs a topic');
    // Loaded when a Kafka channel is configured, not with the notifier: a start without Kafka does not pay for loading it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, in the constructor.
    const kafkajs = require('kafkajs') as typeof import('kafkajs');
    const timeoutMs = options.timeoutMs ?? 10_000;
    const config: KafkaConfig = {
      clientId: options.clientId ?? 'vigil-notifier',
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
    this.kafka = new kafkajs.Kafka(config);
  }

  async deliver(alertEvent: StoredEvent): Promise<DeliveryReceipt> {
    const alertId = alertIdOf(alertEvent);
    try {
      const producer = await this.connected();
      const [written] = await producer.send({
        topic: this.options.topic,
        acks: -1,
        timeout: this.options.timeoutMs ?? 10_000,
        messages: [
          {
            key: alertId,
            value: alertMessageBody(alertEvent),
            headers: { [KAFKA_HEADERS.eventId]: alertEvent.eventId, [KAFKA_HEADERS.eventType]: alertEvent.type, [KAFKA_HEADERS.alertId]: alertId },
          },
        ],
      });
      return { detail: `${this.options.topic}/${written?.partition}@${written?.baseOffset ?? written?.offset}` };
    } catch (error) {
      // A producer that failed may hold a broken connection: start afresh on the next attempt.
      await this.reset();
      throw new DeliveryFailedError(
        this.name,
        `publishing to Kafka topic ${this.options.topic} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: this.options.idempotent ?? true,
        // Required by an idempotent producer for in-order writes; one alert at a time anyway.
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

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
