import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import type { ReadModelSql } from '../store/read-model-store';
import type { Projection } from './projection';
import { BuildRetiredError, ProjectionBuildWriter } from './projection-build';
import { yieldToIo } from './rebuild-job';
import type { ReadModelDatabase } from './read-model-database';

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
  /**
   * Events per batch, and per transaction (default 2000). A batch's events and the states it loads stay
   * in memory until it commits: larger batches took a rebuild of a large log past its memory bound
   * (bench/README.md "Figures behind design choices").
   */
  batchSize?: number;
  /** First delay before retrying a failed batch; doubles up to `maxRetryDelayMs` (defaults 250 ms, 30 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Brings a stored event to its current schema before a projection sees it (default: the domain's upcasters). */
  upcast?: (event: StoredEvent) => StoredEvent;
  /** Called once the runner stopped for good because another build became live (in this process or another). */
  onRetired?: (runner: ProjectionRunner) => void;
  /** Runs first in each transaction writing the build; throws to refuse it (the projection's lease). */
  fence?: (sql: ReadModelSql) => Promise<void>;
}

/**
 * Keeps one build of a projection up to date: catches up from its checkpoint, then follows the log.
 * Each batch is one transaction holding both the projection's changes and the new checkpoint; a
 * failing batch rolls back, and the runner resubscribes from the checkpoint after a growing delay.
 * Which build it runs: the live build of this version; else a build of this version left half-built
 * (resumed); else a new one beside the live build of an older version, switched live in one
 * transaction once it has caught up with the log. Rebuilds of a live version: `ProjectionRebuild`.
 */
export class ProjectionRunner {
  private readonly logger: Logger;
  private readonly batchSize: number;
  private subscription?: Subscription;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private state: ProjectionState = 'stopped';
  private lastError?: string;
  private writer?: ProjectionBuildWriter;
  /** Whether the build answers queries, as last looked up (after each batch, and by `status`). */
  private live = false;

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.logger = new Logger(`Projection ${projection.name} v${projection.version}`);
    this.batchSize = options.batchSize ?? 2000;
    this.retryDelayMs = options.retryDelayMs ?? 250;
  }

  get name(): string {
    return this.projection.name;
  }

  get build(): number {
    return this.writer?.build ?? 0;
  }

  /** Global position the tables cover (committed). */
  get position(): number {
    return this.writer?.position ?? 0;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Looks up again whether the build is live (another process may have switched or dropped it). */
  async refreshLive(): Promise<boolean> {
    this.live = (await this.writer?.isLive()) ?? false;
    return this.live;
  }

  get isRetired(): boolean {
    return this.state === 'retired';
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    try {
      this.writer = await ProjectionBuildWriter.open(this.db, this.projection, { upcast: this.options.upcast, fence: this.options.fence });
      await this.refreshLive();
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
    await this.refreshLive();
    return {
      name: this.projection.name,
      version: this.projection.version,
      build: this.build,
      live: this.isLive,
      state: this.state,
      position: this.position,
      head,
      lag: Math.max(0, head - this.position),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  private follow(): void {
    this.state = 'catching-up';
    const subscription = this.store.subscribe({ after: this.position, batchSize: this.batchSize, types: this.projection.handles }, (batch) =>
      this.handle(batch),
    );
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
    this.logger.log(`build ${this.build} was replaced by a newer live build; stopping`);
    this.options.onRetired?.(this);
  }

  private fail(error: unknown): void {
    this.state = 'failed';
    this.lastError = error instanceof Error ? error.message : String(error);
    this.subscription = undefined;
    this.logger.error(
      `batch after position ${this.position} failed, retrying in ${this.retryDelayMs} ms: ${this.lastError}`,
      error instanceof Error ? error.stack : undefined,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== 'failed') return;
      // The checkpoint in the database is the truth: the failed batch was rolled back.
      void (async () => this.writer?.resync())().then(
        () => this.state === 'failed' && this.follow(),
        (error: unknown) => (error instanceof BuildRetiredError ? this.retire() : this.fail(error)),
      );
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 30_000);
  }

  private async handle(batch: StoredEvent[]): Promise<void> {
    const writer = this.writer as ProjectionBuildWriter;
    await writer.write(batch);
    this.lastError = undefined;
    this.retryDelayMs = this.options.retryDelayMs ?? 250;
    const head = await this.store.headPosition();
    if (writer.position >= head && !(await this.refreshLive())) await this.switchLive(writer);
    if (this.state !== 'stopped') this.state = writer.position >= head ? 'following' : 'catching-up';
    if (writer.position < head) await yieldToIo(); // catching up: let HTTP in between batches
  }

  /** Blue/green: a new version's build answers queries once it has caught up with the log; the old one goes. */
  private async switchLive(writer: ProjectionBuildWriter): Promise<void> {
    const { switched, replaced } = await writer.switchLive();
    if (switched) this.live = true;
    if (switched) this.logger.log(`build ${writer.build} is now live${replaced ? `, replacing build ${replaced.build} (v${replaced.version})` : ''}`);
  }
}
