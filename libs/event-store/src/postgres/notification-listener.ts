import { Client, ClientConfig } from 'pg';
import { WakeSignal } from '../wake-signal';

/**
 * Holds a LISTEN connection and wakes subscriptions on every NOTIFY of the channel. When the
 * connection drops it reconnects after `retryMs`; meanwhile subscriptions still poll.
 */
export class NotificationListener {
  private client: Client | null = null;
  private started = false;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly signal: WakeSignal,
    private readonly retryMs: number,
  ) {}

  /** Starts listening unless it already does or tries to; should that fail, it tries again after `retryMs`. */
  listen(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.start().catch(() => this.reconnectLater());
  }

  async start(): Promise<void> {
    const client = new Client(this.config);
    client.on('notification', () => this.signal.notify());
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end();
      return;
    }
    this.client = client;
    // Events may have been committed while nobody listened: let subscriptions look.
    this.signal.notify();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start().catch(() => this.reconnectLater());
    }, this.retryMs);
  }
}
