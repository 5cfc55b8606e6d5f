import type { StoredEvent } from '@vigil/event-store';
import type { EventSink } from './event-relay';
import { KAFKA_HEADERS, KafkaChannelOptions, KafkaProducer } from './kafka-channel';

/** Kafka record headers of a relayed event: receivers deduplicate by event id. */
export const KAFKA_EVENT_HEADERS = { eventId: KAFKA_HEADERS.eventId, eventType: KAFKA_HEADERS.eventType, globalPosition: 'vigil-global-position' } as const;

/** A stored event as relayed: its whole envelope, hash and previous hash included, so a receiver can check the chain. */
export function relayedEventBody(event: StoredEvent): string {
  const { eventId, streamId, streamVersion, globalPosition, type, schemaVersion, data, metadata, hash, previousHash } = event;
  return JSON.stringify({ eventId, streamId, streamVersion, globalPosition, type, schemaVersion, data, metadata, hash, previousHash });
}

/**
 * The log's outbound stream: every event to VIGIL_KAFKA_EVENT_TOPIC (default `vigil.events`), keyed by its
 * stream id, so one stream's events share a partition and are read in their order.
 */
export class KafkaEventSink implements EventSink {
  readonly name: string;
  private readonly producer: KafkaProducer;

  constructor(options: KafkaChannelOptions) {
    this.producer = new KafkaProducer(options, 'vigil-event-relay');
    this.name = `kafka:${options.topic}`;
  }

  async publish(events: StoredEvent[]): Promise<void> {
    await this.producer.sendAll(
      this.name,
      events.map((event) => ({
        key: event.streamId,
        value: relayedEventBody(event),
        headers: {
          [KAFKA_EVENT_HEADERS.eventId]: event.eventId,
          [KAFKA_EVENT_HEADERS.eventType]: event.type,
          [KAFKA_EVENT_HEADERS.globalPosition]: String(event.globalPosition),
        },
      })),
    );
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
