import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import type { ReadModelSql, ReadModelStore } from '@vigil/projections';

/** Where the relay sends the log: resolves once the receiver holds every event of the batch, in order. */
export interface EventSink {
  readonly name: string;
  publish(events: StoredEvent[]): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The relay's checkpoint: the global position of the last event its sink accepted, per sink, kept beside the
 * notifier's outbox (its SQLite file, or the schema the nodes share on PostgreSQL), so a node that takes the
 * relay's lease over goes on where the last holder stopped. Saved under the lease's fence: a node that lost
 * the lease cannot move it.
 */
export class RelayCheckpoint {
  private readonly installed: Promise<void>;

  constructor(
    private readonly store: ReadModelStore,
    private readonly fence: (sql: ReadModelSql) => Promise<void> = async () => undefined,
  ) {
    this.installed = this.install();
    this.installed.catch(() => undefined); // reported to the first caller
  }

  async position(sink: string): Promise<number> {
    await this.installed;
    const row = await this.store.read((sql) => sql.get<{ position: number | string }>('SELECT position FROM relay_checkpoint WHERE sink = ?', [sink]));
    return Number(row?.position ?? 0);
  }

  async save(sink: string, position: number): Promise<void> {
    await this.installed;
    await this.store.transaction(async (sql) => {
      await this.fence(sql);
      await sql.run('INSERT INTO relay_checkpoint (sink, position) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET position = excluded.position', [
        sink,
        position,
      ]);
    });
  }

  private install(): Promise<void> {
    return this.store.install('CREATE TABLE IF NOT EXISTS relay_checkpoint (sink TEXT PRIMARY KEY, position BIGINT NOT NULL)');
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
  /** Moves at every start and stop: a follow begun before a stop does not subscribe after it. */
  private generation = 0;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoint: RelayCheckpoint,
    private readonly sink: EventSink,
    private readonly options: EventRelayOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** Global position of the last event the sink accepted. */
  position(): Promise<number> {
    return this.checkpoint.position(this.sink.name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.follow();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.sink.close?.();
  }

  private follow(): void {
    const generation = this.generation;
    this.position().then(
      (after) => {
        if (!this.running || generation !== this.generation) return;
        const subscription = this.store.subscribe({ after, batchSize: this.options.batchSize ?? 500 }, (batch) => this.relay(batch));
        this.subscription = subscription;
        subscription.closed.then(
          () => undefined,
          (error: unknown) => this.subscription === subscription && this.retry(error),
        );
      },
      (error: unknown) => this.retry(error),
    );
  }

  /** Follows the log again from the checkpoint, after a growing delay. */
  private retry(error: unknown): void {
    if (!this.running) return;
    this.subscription = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`relaying to ${this.sink.name} failed, again from its checkpoint in ${this.retryDelayMs} ms: ${reason}`);
    this.retryTimer = setTimeout(() => this.running && this.follow(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
  }

  private async relay(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    await this.sink.publish(batch);
    await this.checkpoint.save(this.sink.name, batch[batch.length - 1].globalPosition);
    this.retryDelayMs = this.options.retryDelayMs ?? 500;
  }
}
