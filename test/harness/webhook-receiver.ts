import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The secret test receivers share with the notifier, to check `X-Vigil-Signature`. */
export const WEBHOOK_SECRET = 'e2e webhook secret, shared with the receiver';

/** A real HTTP receiver for the alert webhook: it records every delivery and answers 204. */
export class WebhookReceiver {
  readonly received: { headers: IncomingMessage['headers']; body: string }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  /** The environment that points Vigil's notifier here, polling and retrying fast. */
  get env(): NodeJS.ProcessEnv {
    return { VIGIL_ALERT_WEBHOOK_URL: this.url, VIGIL_ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET, VIGIL_ALERT_POLL_MS: '20', VIGIL_ALERT_RETRY_BASE_MS: '20' };
  }

  /** The `X-Vigil-Event-Type` of each delivery, in arrival order. */
  eventTypes(): string[] {
    return this.received.map((r) => r.headers['x-vigil-event-type'] as string);
  }

  /** Delivery counts by `X-Vigil-Event-Id`. */
  countsByEventId(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { headers } of this.received) {
      const id = String(headers['x-vigil-event-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `probe` until `done` says so, or fails naming the last value seen. */
export async function eventually<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
