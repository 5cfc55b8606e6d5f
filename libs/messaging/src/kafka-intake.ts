import { Logger } from '@nestjs/common';
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { KafkaChannelOptions, kafkaClient, KafkaProducer } from './kafka-channel';

/** What the intake made of one message: recorded (or already recorded), or refused with the reason a client would have had. */
export type IntakeVerdict = { recorded: true } | { refused: string; status: number };

/** Records one message's value; throws when it cannot tell (the store is down): the message is then read again. */
export type IntakeHandler = (value: string) => Promise<IntakeVerdict>;

export interface KafkaIntakeOptions extends KafkaChannelOptions {
  /** The consumer group (VIGIL_KAFKA_GROUP_ID): the nodes that share it share the topic's partitions. */
  groupId: string;
  /** Where refused messages go, with their reason (a DeadLetter). */
  deadLetterTopic: string;
}

/**
 * A dead letter's value: why the message was refused, where it was read, and the message itself (its value as
 * UTF-8 text, as the intake read it; null for a message without one). The headers say the same.
 */
export interface DeadLetter {
  reason: string;
  /** What `POST /patients/:id/lab-results` would have answered. */
  status: number;
  /** The offset as Kafka gives it: a decimal string (64 bits). */
  source: { topic: string; partition: number; offset: string };
  value: string | null;
}

/** Kafka record headers of a dead letter: why it was refused, and where it was read. */
export const KAFKA_DEAD_LETTER_HEADERS = {
  reason: 'vigil-refused-reason',
  status: 'vigil-refused-status',
  source: 'vigil-source',
} as const;

/**
 * Reads a topic in a consumer group (VIGIL_KAFKA_GROUP_ID: several Vigil nodes share its partitions) and hands
 * each message to the intake. A message's offset is committed only once the intake recorded it, or once a
 * refused one is on the dead-letter topic: a crash in between reads it again, and the intake's idempotency key
 * makes the second reading record nothing. A new group starts from the earliest offset.
 */
export class KafkaIntake {
  private readonly logger: Logger;
  private readonly kafka: Kafka;
  private readonly deadLetters: KafkaProducer;
  private consumer?: Consumer;

  constructor(
    private readonly options: KafkaIntakeOptions,
    private readonly handle: IntakeHandler,
  ) {
    this.logger = new Logger(`KafkaIntake ${options.topic}`);
    this.kafka = kafkaClient(options, 'vigil-intake');
    this.deadLetters = new KafkaProducer({ ...options, topic: options.deadLetterTopic }, 'vigil-intake');
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        await this.take(topic, partition, message);
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await this.deadLetters.close();
  }

  private async take(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const source = `${topic}/${partition}@${message.offset}`;
    const value = message.value === null ? null : message.value.toString('utf8');
    const verdict = await this.handle(value ?? '');
    if ('recorded' in verdict) return;
    this.logger.warn(`${source} refused (${verdict.status}): ${verdict.refused}; sent to ${this.options.deadLetterTopic}`);
    // The reason in the value too: a consumer that keeps only values (a sink to a table, a log) keeps why.
    const letter: DeadLetter = { reason: verdict.refused, status: verdict.status, source: { topic, partition, offset: message.offset }, value };
    await this.deadLetters.send('dead-letter', {
      key: message.key,
      value: JSON.stringify(letter),
      headers: {
        ...withoutOurs(message.headers),
        [KAFKA_DEAD_LETTER_HEADERS.reason]: verdict.refused,
        [KAFKA_DEAD_LETTER_HEADERS.status]: String(verdict.status),
        [KAFKA_DEAD_LETTER_HEADERS.source]: source,
      },
    });
  }
}

function withoutOurs(headers: IHeaders | undefined): IHeaders {
  const ours = new Set<string>(Object.values(KAFKA_DEAD_LETTER_HEADERS));
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !ours.has(name)));
}
