import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import type { AnyProjection, ProjectionTransaction } from './projection';
import { ReadModelDatabase, versionedTable } from './read-model-database';
import { inCurrentSchema } from './upcasting';

export type ProjectionState = 'stopped' | 'starting' | 'catching-up' | 'following' | 'failed';

export interface ProjectionStatus {
  name: string;
  version: number;
  /** True when this version answers queries; false while it is built beside the live one. */
  live: boolean;
  state: ProjectionState;
  /** Global position of the last event this version's tables cover. */
  position: number;
  /** Global position of the last event in the store. */
  head: number;
  lag: number;
  /** The last failure, while the runner waits to retry. */
  error?: string;
}

export interface ProjectionRunnerOptions {
  /** Events per batch, and per transaction (default 1000). */
  batchSize?: number;
  /** First delay before retrying a failed batch; doubles up to `maxRetryDelayMs` (defaults 250 ms, 30 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Brings a stored event to its current schema before a projection sees it (default: the domain's upcasters). */
  upcast?: (event: StoredEvent) => StoredEvent;
}

/**
 * Keeps one projection version up to date: catches up from its checkpoint, then follows the log.
 * Each batch is one transaction holding both the projection's changes and the new checkpoint.
 * A failing batch rolls back; the runner resubscribes from the checkpoint after a growing delay.
 * A version newer than the live one is built beside it and switched live once it reaches the head.
 */
export class ProjectionRunner {
  private readonly logger: Logger;
  private readonly handles: Set<string>;
  private readonly batchSize: number;
  private subscription?: Subscription;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private state: ProjectionState = 'stopped';
  private lastError?: string;
  private current = 0;
  private readonly tx: ProjectionTransaction;

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    readonly projection: AnyProjection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.logger = new Logger(`Projection ${projection.name} v${projection.version}`);
    this.handles = new Set(projection.handles);
    this.batchSize = options.batchSize ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.tx = {
      table: (table) => versionedTable(projection.name, projection.version, table),
      statement: (sql) => db.statement(sql),
      exec: (sql) => void db.sql.exec(sql),
    };
  }

  get name(): string {
    return this.projection.name;
  }

  /** Global position the tables cover (committed). */
  get position(): number {
    return this.current;
  }

  get isLive(): boolean {
    return this.db.liveVersion(this.projection.name) === this.projection.version;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.current = this.install();
    this.follow();
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.state = 'stopped';
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  async status(): Promise<ProjectionStatus> {
    const head = await this.store.headPosition();
    return {
      name: this.projection.name,
      version: this.projection.version,
      live: this.isLive,
      state: this.state,
      position: this.current,
      head,
      lag: Math.max(0, head - this.current),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  /** Creates this version's tables and checkpoint on first run; returns the checkpoint. */
  private install(): number {
    const { name, version } = this.projection;
    const live = this.db.liveVersion(name);
    if (live !== undefined && live > version) {
      throw new Error(`read model ${name} is live at version ${live}, newer than this code's version ${version}: refusing to run an older projection`);
    }
    return this.db.transaction(() => {
      const existing = this.db.checkpoint(name, version);
      if (existing !== undefined) return existing;
      this.projection.install(this.tx);
      this.db.statement('INSERT INTO projection_checkpoints (name, version, position, updated_at) VALUES (?, ?, 0, ?)').run(name, version, new Date().toISOString());
      // The first version of a read model is live from the start: there is nothing older to answer meanwhile.
      if (live === undefined) this.db.statement('INSERT INTO projection_live (name, version, switched_at) VALUES (?, ?, ?)').run(name, version, new Date().toISOString());
      return 0;
    });
  }

  private follow(): void {
    this.state = 'catching-up';
    const subscription = this.store.subscribe({ after: this.current, batchSize: this.batchSize }, (batch) => this.handle(batch));
    this.subscription = subscription;
    subscription.closed.then(
      () => undefined,
      (error: unknown) => {
        if (this.subscription !== subscription || this.state === 'stopped') return;
        this.fail(error);
      },
    );
  }

  private fail(error: unknown): void {
    this.state = 'failed';
    this.lastError = error instanceof Error ? error.message : String(error);
    this.subscription = undefined;
    this.logger.error(`batch after position ${this.current} failed, retrying in ${this.retryDelayMs} ms: ${this.lastError}`, error instanceof Error ? error.stack : undefined);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== 'failed') return;
      // The checkpoint in the database is the truth: the failed batch was rolled back.
      this.current = this.db.checkpoint(this.projection.name, this.projection.version) ?? 0;
      this.follow();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 30_000);
  }

  private async handle(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1].globalPosition;
    if (last <= this.current) return;
    const upcast = this.options.upcast ?? inCurrentSchema;
    const events: StoredEvent[] = [];
    for (const event of batch) {
      if (event.globalPosition <= this.current || !this.handles.has(event.type)) continue;
      events.push(upcast(event));
    }
    const prepared = events.length > 0 && this.projection.prepare ? await this.projection.prepare(events, this.tx) : undefined;
    const { name, version } = this.projection;
    this.db.transaction(() => {
      if (events.length > 0) this.projection.apply(events, this.tx, prepared);
      this.db.statement('UPDATE projection_checkpoints SET position = ?, updated_at = ? WHERE name = ? AND version = ?').run(last, new Date().toISOString(), name, version);
    });
    this.current = last;
    this.lastError = undefined;
    this.retryDelayMs = this.options.retryDelayMs ?? 250;
    this.db.events.emit('checkpoint', { name, version, position: last });
    if (!this.isLive) await this.switchLiveWhenCaughtUp();
    if (this.state !== 'stopped') this.state = last >= (await this.store.headPosition()) ? 'following' : 'catching-up';
  }

  /** Blue/green: the new version answers queries once it has caught up with the log; the old tables go. */
  private async switchLiveWhenCaughtUp(): Promise<void> {
    if (this.current < (await this.store.headPosition())) return;
    const { name, version } = this.projection;
    this.db.transaction(() => {
      const previous = this.db.liveVersion(name);
      this.db.statement('INSERT INTO projection_live (name, version, switched_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version, switched_at = excluded.switched_at').run(name, version, new Date().toISOString());
      if (previous === undefined || previous === version) return;
      const prefix = `${name}_v${previous}_`;
      const tables = this.db.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?`).all(prefix.length, prefix) as { name: string }[];
      for (const table of tables) this.db.sql.exec(`DROP TABLE "${table.name}"`);
      this.db.statement('DELETE FROM projection_checkpoints WHERE name = ? AND version = ?').run(name, previous);
    });
    this.logger.log(`version ${version} is now live`);
  }
}
