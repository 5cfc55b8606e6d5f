import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';

/** Where the relay sends the log: resolves once the receiver holds every event of the batch, in order. */
export interface EventSink {
  readonly name: string;
  publish(events: StoredEvent[]): Promise<void>;
  close?(): Promise<void>;
}

/** The relay's checkpoint: the global position of the last event its sink accepted, in a SQLite file of its own. */
export class RelayCheckpoint {
  private readonly sql: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.sql = new Database(file);
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = FULL');
    this.sql.exec(`CREATE TABLE IF NOT EXISTS relay_checkpoint (sink TEXT PRIMARY KEY, position INTEGER NOT NULL)`);
  }

  position(sink: string): number {
    const row = this.sql.prepare('SELECT position FROM relay_checkpoint WHERE sink = ?').get(sink) as { position: number } | undefined;
    return row?.position ?? 0;
  }

  save(sink: string, position: number): void {
    this.sql
      .prepare('INSERT INTO relay_checkpoint (sink, position) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET position = excluded.position')
      .run(sink, position);
  }

  close(): void {
    this.sql.close();
  }
}

export interface EventRelayOptions {
  /** Events per batch, and per publish (default 500). */
  batchSize?: number;
  /** First delay before following the log again after a failed publish; doubles up to 30 s (default 500 ms). */
  retryDelayMs?: number;
}

/**
 * Relays every event of the log, as stored, to a sink (the Kafka topic VIGIL_KAFKA_EVENT_TOPIC), in log order.
 * Publish first, checkpoint after: a crash between the two publishes the batch again on restart, so a
 * receiver may see an event twice, always with the same event id, and never loses one or sees one stream's
 * events out of order.
 */
export class EventRelay {
  private readonly logger = new Logger('EventRelay');
  private subscription?: Subscription;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private running = false;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoint: RelayCheckpoint,
    private readonly sink: EventSink,
    private readonly options: EventRelayOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** Global position of the last event the sink accepted. */
  get position(): number {
    return this.checkpoint.position(this.sink.name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.follow();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.sink.close?.();
  }

  /** Lets go of the checkpoint file; after `stop`. */
  close(): void {
    this.checkpoint.close();
  }

  private follow(): void {
    const subscription = this.store.subscribe({ after: this.position, batchSize: this.options.batchSize ?? 500 }, (batch) => this.relay(batch));
    this.subscription = subscription;
    subscription.closed.then(
      () => undefined,
      (error: unknown) => {
        if (!this.running || this.subscription !== subscription) return;
        this.subscription = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(`relaying to ${this.sink.name} failed after position ${this.position}, again in ${this.retryDelayMs} ms: ${reason}`);
        this.retryTimer = setTimeout(() => this.running && this.follow(), this.retryDelayMs);
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
      },
    );
  }

  private async relay(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    await this.sink.publish(batch);
    this.checkpoint.save(this.sink.name, batch[batch.length - 1].globalPosition);
    this.retryDelayMs = this.options.retryDelayMs ?? 500;
  }
}
