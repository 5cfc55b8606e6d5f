import { join } from 'node:path';
import { LeaseTiming, leaseTimingFromEnv, ReadModelStoreConfig, readModelStoreConfigFromEnv } from '@vigil/projections';
import type { KafkaChannelOptions } from '../kafka-channel';
import type { KafkaIntakeOptions } from '../kafka-intake';

export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key of `X-Vigil-Signature` (libs/messaging webhook-signature.ts). */
  secret: string;
  timeoutMs: number;
}

/** The notifier's configuration, read once from the environment and validated with clear messages. */
export interface NotifierConfig {
  /** SQLite outbox (`<VIGIL_DATA_DIR>/notifier.sqlite`, VIGIL_NOTIFIER_FILE), or `:memory:`. */
  outboxFile: string;
  /**
   * Where the outbox lives: its SQLite file, or (VIGIL_READ_MODELS=postgres, the default when the events
   * are in PostgreSQL) the read models' shared schema, so a notifier node keeps no file.
   */
  outbox: ReadModelStoreConfig;
  /** The notifier's lease (VIGIL_LEASE_TTL_MS, VIGIL_LEASE_HEARTBEAT_MS): one node delivers at a time. */
  lease: LeaseTiming;
  /** Absent when `VIGIL_ALERT_WEBHOOK_URL` is not set: alerts then go to the log only. */
  webhook?: WebhookConfig;
  /** Absent when `VIGIL_KAFKA_BROKERS` is not set. */
  kafka?: KafkaChannelOptions;
  /** The log's outbound stream (every event to VIGIL_KAFKA_EVENT_TOPIC), with Kafka; its checkpoint is kept beside the outbox. */
  eventRelay?: { kafka: KafkaChannelOptions };
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
}

export class NotifierConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifierConfigError';
  }
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new NotifierConfigError(`${name} must be a whole number of milliseconds ≥ ${min}, got "${raw}"`);
  return value;
}

export function notifierConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const dataDir = env.VIGIL_DATA_DIR ?? join(process.cwd(), 'data');
  const outboxFile = env.VIGIL_NOTIFIER_FILE ?? (dataDir === ':memory:' ? ':memory:' : join(dataDir, 'notifier.sqlite'));
  const readModels = readModelStoreConfigFromEnv(env);
  const config: NotifierConfig = {
    outboxFile,
    outbox: readModels.kind === 'postgres' ? readModels : { kind: 'sqlite', sqliteFile: outboxFile },
    lease: leaseTimingFromEnv(env),
    retryBaseMs: milliseconds(env, 'VIGIL_ALERT_RETRY_BASE_MS', 1000, 10),
    retryMaxMs: milliseconds(env, 'VIGIL_ALERT_RETRY_MAX_MS', 300_000, 10),
    pollMs: milliseconds(env, 'VIGIL_ALERT_POLL_MS', 1000, 10),
  };
  if (config.retryMaxMs < config.retryBaseMs) throw new NotifierConfigError('VIGIL_ALERT_RETRY_MAX_MS must not be below VIGIL_ALERT_RETRY_BASE_MS');
  const url = env.VIGIL_ALERT_WEBHOOK_URL;
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NotifierConfigError(`VIGIL_ALERT_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new NotifierConfigError(`VIGIL_ALERT_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
    const secret = env.VIGIL_ALERT_WEBHOOK_SECRET ?? '';
    if (secret.length < 16) {
      throw new NotifierConfigError(
        'VIGIL_ALERT_WEBHOOK_SECRET must be set (at least 16 characters) when VIGIL_ALERT_WEBHOOK_URL is: receivers verify X-Vigil-Signature with it',
      );
    }
    config.webhook = { url, secret, timeoutMs: milliseconds(env, 'VIGIL_ALERT_WEBHOOK_TIMEOUT_MS', 10_000, 100) };
  }
  if (env.VIGIL_KAFKA_BROKERS) {
    config.kafka = kafkaConfigFromEnv(env, env.VIGIL_KAFKA_BROKERS);
    const eventTopic = topicFromEnv(env, 'VIGIL_KAFKA_EVENT_TOPIC', 'vigil.events');
    config.eventRelay = {
      kafka: { ...config.kafka, topic: eventTopic, clientId: `${config.kafka.clientId}-events` },
    };
  }
  return config;
}

/**
 * Lab results through Kafka (VIGIL_KAFKA_LAB_TOPIC): the consumer group, and the dead-letter topic refused
 * messages go to. Undefined when VIGIL_KAFKA_LAB_TOPIC is unset.
 */
export function labIntakeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaIntakeOptions | undefined {
  if (!env.VIGIL_KAFKA_LAB_TOPIC) return undefined;
  if (!env.VIGIL_KAFKA_BROKERS) throw new NotifierConfigError('VIGIL_KAFKA_LAB_TOPIC needs VIGIL_KAFKA_BROKERS: the brokers to read lab results from');
  const kafka = kafkaConfigFromEnv(env, env.VIGIL_KAFKA_BROKERS);
  const topic = topicFromEnv(env, 'VIGIL_KAFKA_LAB_TOPIC', '');
  const groupId = env.VIGIL_KAFKA_GROUP_ID?.trim() || 'vigil-lab-intake';
  if (!TOPIC.test(groupId)) throw new NotifierConfigError(`VIGIL_KAFKA_GROUP_ID must be letters, digits, ".", "_" or "-", got "${groupId}"`);
  const deadLetterTopic = topicFromEnv(env, 'VIGIL_KAFKA_LAB_DLQ_TOPIC', `${topic}.dlq`);
  if (deadLetterTopic === topic) throw new NotifierConfigError('VIGIL_KAFKA_LAB_DLQ_TOPIC must differ from VIGIL_KAFKA_LAB_TOPIC');
  return { ...kafka, clientId: `${kafka.clientId}-lab-intake`, topic, groupId, deadLetterTopic };
}

function topicFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const topic = env[name]?.trim() || fallback;
  if (!TOPIC.test(topic) || topic === '.' || topic === '..') {
    throw new NotifierConfigError(`${name} must be a Kafka topic name (letters, digits, ".", "_", "-"), got "${topic}"`);
  }
  return topic;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

function yesNo(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new NotifierConfigError(`${name} must be true or false, got "${raw}"`);
}

/** VIGIL_KAFKA_*: where alert events are published when Kafka is the production bus. */
function kafkaConfigFromEnv(env: NodeJS.ProcessEnv, brokerList: string): KafkaChannelOptions {
  const brokers = brokerList
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(broker))
      throw new NotifierConfigError(`VIGIL_KAFKA_BROKERS must list host:port brokers separated by commas, got "${broker}"`);
  }
  if (brokers.length === 0) throw new NotifierConfigError('VIGIL_KAFKA_BROKERS must list at least one host:port broker');
  const topic = topicFromEnv(env, 'VIGIL_KAFKA_ALERT_TOPIC', 'vigil.alerts');
  const options: KafkaChannelOptions = {
    brokers,
    topic,
    clientId: env.VIGIL_KAFKA_CLIENT_ID || 'vigil-notifier',
    ssl: yesNo(env, 'VIGIL_KAFKA_SSL', false),
    idempotent: yesNo(env, 'VIGIL_KAFKA_IDEMPOTENT', true),
    timeoutMs: milliseconds(env, 'VIGIL_KAFKA_TIMEOUT_MS', 10_000, 100),
  };
  const mechanism = env.VIGIL_KAFKA_SASL_MECHANISM;
  if (mechanism) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new NotifierConfigError(`VIGIL_KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`);
    }
    const username = env.VIGIL_KAFKA_SASL_USERNAME;
    const password = env.VIGIL_KAFKA_SASL_PASSWORD;
    if (!username || !password)
      throw new NotifierConfigError('VIGIL_KAFKA_SASL_USERNAME and VIGIL_KAFKA_SASL_PASSWORD must be set with VIGIL_KAFKA_SASL_MECHANISM');
    options.sasl = { mechanism: mechanism as (typeof SASL_MECHANISMS)[number], username, password } as KafkaChannelOptions['sasl'];
  }
  return options;
}
