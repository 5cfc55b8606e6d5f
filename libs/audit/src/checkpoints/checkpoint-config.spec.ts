import { join } from 'node:path';
import { CheckpointConfigError, checkpointConfigFromEnv } from './checkpoint-config';

describe('checkpointConfigFromEnv', () => {
  const dataDir = join('/var', 'lib', 'vigil');

  it('defaults to a checkpoint every 1 000 events or 60 s, on topic vigil.checkpoints, with the key generated into the data directory', () => {
    expect(checkpointConfigFromEnv({}, dataDir)).toEqual({
      every: 1_000,
      intervalMs: 60_000,
      signingKey: { file: join(dataDir, 'audit-signing-key.pem'), generate: true },
      file: undefined,
      kafkaTopic: 'vigil.checkpoints',
    });
  });

  it('takes blank variables for unset ones', () => {
    const env = { VIGIL_CHECKPOINT_EVERY: ' ', VIGIL_CHECKPOINT_INTERVAL_MS: '', VIGIL_CHECKPOINT_LOG: ' ', VIGIL_KAFKA_CHECKPOINT_TOPIC: '' };
    expect(checkpointConfigFromEnv(env, dataDir)).toMatchObject({ every: 1_000, intervalMs: 60_000, file: undefined, kafkaTopic: 'vigil.checkpoints' });
  });

  it('reads each setting from its variable', () => {
    const env = {
      VIGIL_CHECKPOINT_EVERY: '250',
      VIGIL_CHECKPOINT_INTERVAL_MS: '5000',
      VIGIL_CHECKPOINT_LOG: '/mnt/witness/checkpoints.jsonl',
      VIGIL_KAFKA_CHECKPOINT_TOPIC: 'trial.checkpoints',
      VIGIL_AUDIT_SIGNING_KEY_FILE: '/run/secrets/vigil-audit.pem',
    };
    expect(checkpointConfigFromEnv(env, dataDir)).toEqual({
      every: 250,
      intervalMs: 5_000,
      signingKey: { file: '/run/secrets/vigil-audit.pem', generate: false },
      file: '/mnt/witness/checkpoints.jsonl',
      kafkaTopic: 'trial.checkpoints',
    });
  });

  it('signs nothing on PostgreSQL without a key file, and says why', () => {
    expect(checkpointConfigFromEnv({ VIGIL_EVENT_STORE: 'postgres' }, dataDir).signingKey).toEqual({
      off: expect.stringMatching(/VIGIL_AUDIT_SIGNING_KEY_FILE/),
    });
  });

  it.each([
    ['VIGIL_CHECKPOINT_EVERY', '0', /VIGIL_CHECKPOINT_EVERY must be a whole number of events ≥ 1, got "0"/],
    ['VIGIL_CHECKPOINT_EVERY', '1.5', /VIGIL_CHECKPOINT_EVERY must be a whole number of events ≥ 1, got "1.5"/],
    ['VIGIL_CHECKPOINT_INTERVAL_MS', '9', /VIGIL_CHECKPOINT_INTERVAL_MS must be a whole number of milliseconds ≥ 10, got "9"/],
    ['VIGIL_CHECKPOINT_INTERVAL_MS', 'a minute', /VIGIL_CHECKPOINT_INTERVAL_MS must be a whole number of milliseconds ≥ 10/],
    ['VIGIL_KAFKA_CHECKPOINT_TOPIC', 'audit checkpoints', /VIGIL_KAFKA_CHECKPOINT_TOPIC must be a Kafka topic name/],
    ['VIGIL_KAFKA_CHECKPOINT_TOPIC', '..', /VIGIL_KAFKA_CHECKPOINT_TOPIC must be a Kafka topic name/],
  ])('refuses %s=%s, naming it', (name, value, message) => {
    expect(() => checkpointConfigFromEnv({ [name]: value }, dataDir)).toThrow(CheckpointConfigError);
    expect(() => checkpointConfigFromEnv({ [name]: value }, dataDir)).toThrow(message);
  });

  it('refuses a checkpoint topic that is the alert topic: checkpoints are not alerts', () => {
    const env = { VIGIL_KAFKA_ALERT_TOPIC: 'vigil.checkpoints' };
    expect(() => checkpointConfigFromEnv(env, dataDir)).toThrow(/VIGIL_KAFKA_CHECKPOINT_TOPIC must differ from VIGIL_KAFKA_ALERT_TOPIC \(vigil\.checkpoints\)/);
  });
});
