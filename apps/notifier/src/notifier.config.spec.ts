import { join } from 'node:path';
import { notifierConfigFromEnv, NotifierConfigError } from './notifier.config';

describe('notifierConfigFromEnv', () => {
  it('keeps the outbox in the data directory and sends to the log only when no webhook is configured', () => {
    expect(notifierConfigFromEnv({ VIGIL_DATA_DIR: '/var/vigil' })).toEqual({ outboxFile: join('/var/vigil', 'notifier.sqlite'), retryBaseMs: 1000, retryMaxMs: 300_000, pollMs: 1000 });
  });

  it('configures the webhook with its signing secret', () => {
    const config = notifierConfigFromEnv({ VIGIL_ALERT_WEBHOOK_URL: 'https://safety.example.org/hooks/vigil', VIGIL_ALERT_WEBHOOK_SECRET: '0123456789abcdef', VIGIL_ALERT_WEBHOOK_TIMEOUT_MS: '2000' });
    expect(config.webhook).toEqual({ url: 'https://safety.example.org/hooks/vigil', secret: '0123456789abcdef', timeoutMs: 2000 });
  });

  it('refuses a webhook without a secret, a URL that is not http(s), and a malformed delay, saying which variable', () => {
    expect(() => notifierConfigFromEnv({ VIGIL_ALERT_WEBHOOK_URL: 'https://safety.example.org' })).toThrow(/VIGIL_ALERT_WEBHOOK_SECRET/);
    expect(() => notifierConfigFromEnv({ VIGIL_ALERT_WEBHOOK_URL: 'ftp://x', VIGIL_ALERT_WEBHOOK_SECRET: '0123456789abcdef' })).toThrow(/VIGIL_ALERT_WEBHOOK_URL/);
    expect(() => notifierConfigFromEnv({ VIGIL_ALERT_RETRY_BASE_MS: 'soon' })).toThrow(new NotifierConfigError('VIGIL_ALERT_RETRY_BASE_MS must be a whole number of milliseconds ≥ 10, got "soon"'));
  });
});
