import { SigningKeySource, signingKeySourceFromEnv } from './signing-key';

/** How checkpoints are made and where they go, read once from the environment. */
export interface CheckpointConfig {
  /** VIGIL_CHECKPOINT_EVERY (default 1 000 events). */
  every: number;
  /** VIGIL_CHECKPOINT_INTERVAL_MS (default 60 000). */
  intervalMs: number;
  signingKey: SigningKeySource;
  /** VIGIL_CHECKPOINT_LOG: a plain file every checkpoint is appended to, when set. */
  file?: string;
  /** VIGIL_KAFKA_CHECKPOINT_TOPIC (default `vigil.checkpoints`), used when Kafka is configured. */
  kafkaTopic: string;
}

export class CheckpointConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointConfigError';
  }
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, unit: string): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new CheckpointConfigError(`${name} must be a whole number of ${unit} ≥ ${min}, got "${env[name]}"`);
  return value;
}

export function checkpointConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): CheckpointConfig {
  const kafkaTopic = env.VIGIL_KAFKA_CHECKPOINT_TOPIC?.trim() || 'vigil.checkpoints';
  if (!TOPIC.test(kafkaTopic) || kafkaTopic === '.' || kafkaTopic === '..') {
    throw new CheckpointConfigError(`VIGIL_KAFKA_CHECKPOINT_TOPIC must be a Kafka topic name (letters, digits, ".", "_", "-"), got "${kafkaTopic}"`);
  }
  if (env.VIGIL_KAFKA_ALERT_TOPIC && env.VIGIL_KAFKA_ALERT_TOPIC.trim() === kafkaTopic) {
    throw new CheckpointConfigError(`VIGIL_KAFKA_CHECKPOINT_TOPIC must differ from VIGIL_KAFKA_ALERT_TOPIC (${kafkaTopic}): checkpoints are not alerts`);
  }
  return {
    every: wholeNumber(env, 'VIGIL_CHECKPOINT_EVERY', 1_000, 1, 'events'),
    intervalMs: wholeNumber(env, 'VIGIL_CHECKPOINT_INTERVAL_MS', 60_000, 10, 'milliseconds'),
    signingKey: signingKeySourceFromEnv(env, dataDir),
    file: env.VIGIL_CHECKPOINT_LOG?.trim() || undefined,
    kafkaTopic,
  };
}
