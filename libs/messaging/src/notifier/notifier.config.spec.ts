import { join } from 'node:path';
import { labIntakeConfigFromEnv, notifierConfigFromEnv, NotifierConfigError } from './notifier.config';

describe('notifierConfigFromEnv', () => {
  it('keeps the outbox in the data directory and sends to the log only when no webhook is configured', () => {
    expect(notifierConfigFromEnv({ VIGIL_DATA_DIR: '/var/vigil' })).toEqual({
      outboxFile: join('/var/vigil', 'notifier.sqlite'),
      outbox: { kind: 'sqlite', sqliteFile: join('/var/vigil', 'notifier.sqlite') },
      lease: { ttlMs: 3000, heartbeatMs: 1000 },
      retryBaseMs: 1000,
      retryMaxMs: 300_000,
      pollMs: 1000,
    });
  });

  it('keeps the outbox in the shared PostgreSQL schema when the events are in PostgreSQL', () => {
    const config = notifierConfigFromEnv({ VIGIL_EVENT_STORE: 'postgres', VIGIL_POSTGRES_URL: 'postgres://db/vigil' });
    expect(config.outbox).toEqual({ kind: 'postgres', postgresUrl: 'postgres://db/vigil', postgresSchema: 'vigil_read' });
  });

  it('configures the webhook with its signing secret', () => {
    const config = notifierConfigFromEnv({
      VIGIL_ALERT_WEBHOOK_URL: 'https://safety.example.org/hooks/vigil',
      VIGIL_ALERT_WEBHOOK_SECRET: '0123456789abcdef',
      VIGIL_ALERT_WEBHOOK_TIMEOUT_MS: '2000',
    });
    expect(config.webhook).toEqual({ url: 'https://safety.example.org/hooks/vigil', secret: '0123456789abcdef', timeoutMs: 2000 });
  });

  it('refuses a webhook without a secret, a URL that is not http(s), and a malformed delay, saying which variable', () => {
    expect(() => notifierConfigFromEnv({ VIGIL_ALERT_WEBHOOK_URL: 'https://safety.example.org' })).toThrow(/VIGIL_ALERT_WEBHOOK_SECRET/);
    expect(() => notifierConfigFromEnv({ VIGIL_ALERT_WEBHOOK_URL: 'ftp://x', VIGIL_ALERT_WEBHOOK_SECRET: '0123456789abcdef' })).toThrow(
      /VIGIL_ALERT_WEBHOOK_URL/,
    );
    expect(() => notifierConfigFromEnv({ VIGIL_ALERT_RETRY_BASE_MS: 'soon' })).toThrow(
      new NotifierConfigError('VIGIL_ALERT_RETRY_BASE_MS must be a whole number of milliseconds ≥ 10, got "soon"'),
    );
  });

  it('publishes to Kafka when VIGIL_KAFKA_BROKERS is set: idempotent, to vigil.alerts unless told otherwise', () => {
    expect(notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' }).kafka).toEqual({
      brokers: ['kafka-1:9092', 'kafka-2:9092'],
      topic: 'vigil.alerts',
      clientId: 'vigil-notifier',
      ssl: false,
      idempotent: true,
      timeoutMs: 10_000,
    });
    const secured = notifierConfigFromEnv({
      VIGIL_KAFKA_BROKERS: 'kafka.example.org:9093',
      VIGIL_KAFKA_ALERT_TOPIC: 'transreg.safety-alerts',
      VIGIL_KAFKA_SSL: 'true',
      VIGIL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      VIGIL_KAFKA_SASL_USERNAME: 'vigil',
      VIGIL_KAFKA_SASL_PASSWORD: 's3cret',
    }).kafka;
    expect(secured).toMatchObject({ topic: 'transreg.safety-alerts', ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'vigil', password: 's3cret' } });
    expect(notifierConfigFromEnv({}).kafka).toBeUndefined();
  });

  it('refuses a malformed Kafka setting, saying which variable and why', () => {
    expect(() => notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'kafka-1' })).toThrow(/VIGIL_KAFKA_BROKERS must list host:port brokers.*"kafka-1"/);
    expect(() => notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: ' , ' })).toThrow(/VIGIL_KAFKA_BROKERS must list at least one/);
    expect(() => notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_ALERT_TOPIC: 'safety alerts' })).toThrow(
      /VIGIL_KAFKA_ALERT_TOPIC must be a Kafka topic name/,
    );
    expect(() => notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_IDEMPOTENT: 'yes' })).toThrow(
      /VIGIL_KAFKA_IDEMPOTENT must be true or false, got "yes"/,
    );
    expect(() => notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      /VIGIL_KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512/,
    );
    expect(() => notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /VIGIL_KAFKA_SASL_USERNAME and VIGIL_KAFKA_SASL_PASSWORD/,
    );
  });

  it('relays the whole log to vigil.events with Kafka, checkpointed in the data directory', () => {
    const config = notifierConfigFromEnv({ VIGIL_DATA_DIR: '/var/vigil', VIGIL_KAFKA_BROKERS: 'k:9092' });
    expect(config.eventRelay).toEqual({
      kafka: expect.objectContaining({ brokers: ['k:9092'], topic: 'vigil.events', clientId: 'vigil-notifier-events' }),
    });
    expect(notifierConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_EVENT_TOPIC: 'transreg.log' }).eventRelay?.kafka.topic).toBe('transreg.log');
    expect(notifierConfigFromEnv({}).eventRelay).toBeUndefined();
  });

  it('reads lab results from VIGIL_KAFKA_LAB_TOPIC in a consumer group, refused ones to <topic>.dlq unless told otherwise', () => {
    expect(labIntakeConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092' })).toBeUndefined();
    expect(labIntakeConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_LAB_TOPIC: 'central-lab.results' })).toMatchObject({
      topic: 'central-lab.results',
      groupId: 'vigil-lab-intake',
      deadLetterTopic: 'central-lab.results.dlq',
    });
    expect(() => labIntakeConfigFromEnv({ VIGIL_KAFKA_LAB_TOPIC: 'labs' })).toThrow(/VIGIL_KAFKA_LAB_TOPIC needs VIGIL_KAFKA_BROKERS/);
    expect(() => labIntakeConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_LAB_TOPIC: 'labs', VIGIL_KAFKA_LAB_DLQ_TOPIC: 'labs' })).toThrow(
      /must differ/,
    );
  });
});
