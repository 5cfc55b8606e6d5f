import { join } from 'node:path';

export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key of `X-Vigil-Signature` (libs/messaging webhook-signature.ts). */
  secret: string;
  timeoutMs: number;
}

/** The notifier's configuration, read once from the environment and validated with clear messages. */
export interface NotifierConfig {
  /** SQLite outbox (`<VIGIL_DATA_DIR>/notifier.sqlite`), or `:memory:`. */
  outboxFile: string;
  /** Absent when `VIGIL_ALERT_WEBHOOK_URL` is not set: alerts then go to the log only. */
  webhook?: WebhookConfig;
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
  const config: NotifierConfig = {
    outboxFile: env.VIGIL_NOTIFIER_FILE ?? (dataDir === ':memory:' ? ':memory:' : join(dataDir, 'notifier.sqlite')),
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
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new NotifierConfigError(`VIGIL_ALERT_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
    const secret = env.VIGIL_ALERT_WEBHOOK_SECRET ?? '';
    if (secret.length < 16) {
      throw new NotifierConfigError('VIGIL_ALERT_WEBHOOK_SECRET must be set (at least 16 characters) when VIGIL_ALERT_WEBHOOK_URL is: receivers verify X-Vigil-Signature with it');
    }
    config.webhook = { url, secret, timeoutMs: milliseconds(env, 'VIGIL_ALERT_WEBHOOK_TIMEOUT_MS', 10_000, 100) };
  }
  return config;
}
