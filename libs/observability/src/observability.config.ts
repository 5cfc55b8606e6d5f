/** The observability settings, read once from the environment and validated with clear messages. */
export interface ObservabilityConfig {
  /** Ready only while every read model and reactor of this node is at most this many events behind the head. */
  readyMaxLag: number;
  /** How long the store may take to answer the readiness probe. */
  readyTimeoutMs: number;
}

export class ObservabilityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObservabilityConfigError';
  }
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ObservabilityConfigError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return value;
}

export function observabilityConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  return {
    readyMaxLag: wholeNumber(env, 'VIGIL_READY_MAX_LAG', 1000, 0),
    readyTimeoutMs: wholeNumber(env, 'VIGIL_READY_TIMEOUT_MS', 2000, 10),
  };
}

export const OBSERVABILITY_CONFIG = Symbol('OBSERVABILITY_CONFIG');
