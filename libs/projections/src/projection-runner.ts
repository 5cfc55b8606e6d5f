import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import type { AnyProjection, ProjectionTransaction } from './projection';
import { buildTable, ReadModelDatabase } from './read-model-database';
import { inCurrentSchema } from './upcasting';

export type ProjectionState = 'stopped' | 'starting' | 'catching-up' | 'following' | 'failed' | 'retired';

export interface ProjectionStatus {
  name: string;
  version: number;
  build: number;
  /** True when this build answers queries; false while it is built beside the live one. */
  live: boolean;
  state: ProjectionState;
  /** Global position of the last event this build's tables cover. */
  position: number;
  /** Global position of the last event in the store. */
  head: number;
  lag: number;
  /** The last failure, while the runner waits to retry. */
  error?: string;
}

export interface ProjectionRunnerOptions {
  /** Events per batch, and per transaction (default 5000: one fsync per batch bounds a rebuild's speed). */
  batchSize?: number;
  /** First delay before retrying a failed batch; doubles up to `maxRetryDelayMs` (defaults 250 ms, 30 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Brings a stored event to its current schema before a projection sees it (default: the domain's upcasters). */
  upcast?: (event: StoredEvent) => StoredEvent;
  /** Start a new build from the beginning of the log beside the live one, even when its version is live. */
  rebuild?: boolean;
}

/** The runner's build was replaced by a newer live build: it stops for good. */
class BuildRetiredError extends Error {}

/**
 * Keeps one build of a projection up to date: catches up from its checkpoint, then follows the log.
 * Each batch is one transaction holding both the projection's changes and the new checkpoint; a
 * failing batch rolls back, and the runner resubscribes from the checkpoint after a growing delay.
 * Which build it runs: the live build of this version; else a build of this version left half-built
 * (resumed); else a new one, beside the live build of an older version (or for a rebuild), switched
 * live in one transaction once it has caught up with the log.
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
  private buildNumber = 0;
  private tx?: ProjectionTransaction;

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    readonly projection: AnyProjection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.logger = new Logger(`Projection ${projection.name} v${projection.version}`);
    this.handles = new Set(projection.handles);
    this.batchSize = options.batchSize ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 250;
  }

  get name(): string {
    return this.projection.name;
  }

  get build(): number {
    return this.buildNumber;
  }

  /** Global position the tables cover (committed). */
  get position(): number {
    return this.current;
  }

  get isLive(): boolean {
    return this.buildNumber > 0 && this.db.build(this.projection.name, this.buildNumber)?.status === 'live';
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    try {
      const build = this.open();
      this.buildNumber = build.build;
      this.current = build.position;
      this.tx = {
        table: (table) => buildTable(this.projection.name, this.projection.version, build.build, table),
        statement: (sql) => this.db.statement(sql),
        exec: (sql) => void this.db.sql.exec(sql),
      };
    } catch (error) {
      this.state = 'stopped';
      throw error;
    }
    this.follow();
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.state !== 'retired') this.state = 'stopped';
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  async status(): Promise<ProjectionStatus> {
    const head = await this.store.headPosition();
    return {
      name: this.projection.name,
      version: this.projection.version,
      build: this.buildNumber,
      live: this.isLive,
      state: this.state,
      position: this.current,
      head,
      lag: Math.max(0, head - this.current),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  /** Finds or creates this runner's build (and its tables) in one transaction. */
  private open() {
    const { name, version } = this.projection;
    const live = this.db.liveBuild(name);
    if (live && live.version > version) {
      throw new Error(`read model ${name} is live at version ${live.version}, newer than this code's version ${version}: refusing to run an older projection`);
    }
    return this.db.transaction(() => {
      const builds = this.db.builds(name);
      const resumable = (this.options.rebuild ? [] : builds.filter((b) => b.version === version && b.status === 'live')).concat(
        builds.filter((b) => b.version === version && b.status === 'building'),
      );
      if (resumable.length > 0) return resumable[0];
      // A half-built older version is of no use any more.
      for (const abandoned of builds.filter((b) => b.status === 'building')) this.db.dropBuild(abandoned);
      const build = this.db.createBuild(name, version);
      this.projection.install({
        table: (table) => buildTable(name, version, build.build, table),
        statement: (sql) => this.db.statement(sql),
        exec: (sql) => void this.db.sql.exec(sql),
      });
      return build;
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
        if (error instanceof BuildRetiredError) return void this.retire();
        this.fail(error);
      },
    );
  }

  private retire(): void {
    this.state = 'retired';
    this.subscription = undefined;
    this.logger.log(`build ${this.buildNumber} was replaced by a newer live build; stopping`);
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
      const build = this.db.build(this.projection.name, this.buildNumber);
      if (!build) return void this.retire();
      this.current = build.position;
      this.follow();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 30_000);
  }

  private async handle(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1].globalPosition;
    if (last <= this.current) return;
    const { name } = this.projection;
    const build = this.buildNumber;
    const tx = this.tx as ProjectionTransaction;
    if (!this.db.build(name, build)) throw new BuildRetiredError();
    const upcast = this.options.upcast ?? inCurrentSchema;
    const events: StoredEvent[] = [];
    for (const event of batch) {
      if (event.globalPosition <= this.current || !this.handles.has(event.type)) continue;
      events.push(upcast(event));
    }
    const prepared = events.length > 0 && this.projection.prepare ? await this.projection.prepare(events, tx) : undefined;
    this.db.transaction(() => {
      if (!this.db.build(name, build)) throw new BuildRetiredError();
      if (events.length > 0) this.projection.apply(events, tx, prepared);
      this.db.advance(name, build, last);
    });
    this.current = last;
    this.lastError = undefined;
    this.retryDelayMs = this.options.retryDelayMs ?? 250;
    this.db.events.emit('checkpoint', { name, build, position: last });
    if (!this.isLive) await this.switchLiveWhenCaughtUp();
    if (this.state !== 'stopped') this.state = last >= (await this.store.headPosition()) ? 'following' : 'catching-up';
  }

  /** Blue/green: the new build answers queries once it has caught up with the log; the old one goes. */
  private async switchLiveWhenCaughtUp(): Promise<void> {
    if (this.current < (await this.store.headPosition())) return;
    const { name } = this.projection;
    const replaced = this.db.transaction(() => this.db.switchLive(name, this.buildNumber));
    this.logger.log(`build ${this.buildNumber} is now live${replaced ? `, replacing build ${replaced.build} (v${replaced.version})` : ''}`);
    this.db.events.emit('switched', { name, build: this.buildNumber, position: this.current });
  }
}
