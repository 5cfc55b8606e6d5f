import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent } from '@vigil/event-store';
import type { ReadModelSql } from '../store/read-model-store';
import type { Projection } from './projection';
import { BuildMovedError, ProjectionBuildWriter } from './projection-build';
import type { ReadModelDatabase } from './read-model-database';

/** `requested`: asked of the node that owns the read model (several nodes); it starts there within a heartbeat. */
export type RebuildState = 'requested' | 'running' | 'done' | 'stopped' | 'failed';

/** Where a rebuild stands. Positions are global positions of the log (event counts on SQLite and PostgreSQL). */
export interface RebuildProgress {
  jobId: string;
  /** The projections rebuilt together, in one pass over the log. */
  projections: string[];
  /** The new builds, numbered as in `projection_builds`. */
  builds: { name: string; version: number; build: number; position: number; live: boolean }[];
  state: RebuildState;
  /** Events done: the position the slowest of the new builds covers. */
  done: number;
  /** Events in all: the last position of the log, as last looked at (it grows while events arrive). */
  total: number;
  /** Position the job started from: above 0 when it resumed a build left half-done (a killed rebuild). */
  resumedFrom: number;
  /**
   * Events of the log this job has gone through so far, handed to the builds or left out by the store as of no
   * type they handle: the positions passed (EventStoreDB's positions are commit positions, not event counts).
   */
  eventsRead: number;
  /** Events read per second since the job started. */
  eventsPerSecond: number;
  /** Seconds left at the current pace, null before there is a pace. */
  etaSeconds: number | null;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

export interface ProjectionRebuildOptions {
  /** Events read per batch (default 2000, as ProjectionRunnerOptions.batchSize: a batch stays in memory until it commits). */
  batchSize?: number;
  upcast?: (event: StoredEvent) => StoredEvent;
  /** After each batch; the next batch waits for it (a progress bar, a test's pace). */
  onProgress?: (progress: RebuildProgress) => void | Promise<void>;
  /** Runs first in each transaction writing a build; throws to refuse it (the lease of the projection, on its owner). */
  fence?: (projection: string) => (sql: ReadModelSql) => Promise<void>;
}

/**
 * Reading SQLite and applying a batch on it resolve without touching the event loop's I/O phase: without a
 * pause between batches, a rebuild in the server would starve HTTP until it ends.
 */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Gives up after so many writers of the same build elbowing each other (a sign of a stuck peer). */
const MAX_RESYNCS = 100;

/**
 * Rebuilds projections from the start of the log, beside their live builds (blue/green): streams the
 * log once in batches through a new build of each, then switches each live in one transaction once
 * it covers the head and at least what its live build covers; the replaced build is dropped. The live
 * builds keep answering and following meanwhile. A rebuild stopped or killed half-way leaves its builds
 * 'building' with their checkpoints: the next rebuild of the same projections resumes them.
 *
 * Side effects of projections (the safety process appending alert events) are idempotent, so a
 * rebuild appends nothing that is already in the log, and the notifier (keyed by event id) sends
 * nothing again. Batches commit without waiting for the disk (ProjectionBuildWriter.write); the
 * switch is a durable commit.
 */
export class ProjectionRebuild {
  readonly jobId = randomUUID();
  private readonly logger = new Logger('ProjectionRebuild');
  private readonly batchSize: number;
  private writers: ProjectionBuildWriter[] = [];
  /** The builds switched live (or live from the start, a first build). */
  private readonly live = new Set<ProjectionBuildWriter>();
  private state: RebuildState = 'running';
  private head = 0;
  private resumedFrom = 0;
  private eventsRead = 0;
  private startedNs = process.hrtime.bigint();
  private readonly startedAt = new Date();
  private finishedAt?: Date;
  private error?: string;
  private stopping = false;
  private running?: Promise<RebuildProgress>;
  private buildsRecorded!: (recorded: boolean) => void;
  private readonly recording = new Promise<boolean>((resolve) => (this.buildsRecorded = resolve));

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRebuildOptions = {},
  ) {
    if (projections.length === 0) throw new Error('a rebuild needs at least one projection');
    this.batchSize = options.batchSize ?? 2000;
  }

  /** Runs the rebuild to the switch (once; later calls return the same promise). Rejects when it fails. */
  run(): Promise<RebuildProgress> {
    this.running ??= this.execute();
    return this.running;
  }

  /**
   * True once its builds are recorded in the read-model database (from then on a killed rebuild is resumed
   * by the next), false when it ended before that (failed: e.g. the lease of the read model was lost).
   */
  recorded(): Promise<boolean> {
    return this.recording;
  }

  /** Asks the rebuild to stop after the batch at hand; its builds stay half-done, resumable. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  progress(): RebuildProgress {
    const position = this.position();
    const seconds = Number(process.hrtime.bigint() - this.startedNs) / 1e9;
    const eventsPerSecond = seconds > 0 ? Math.round(this.eventsRead / seconds) : 0;
    const positionsPerSecond = seconds > 0 ? (position - this.resumedFrom) / seconds : 0;
    const left = Math.max(0, this.head - position);
    return {
      jobId: this.jobId,
      projections: this.projections.map((p) => p.name),
      builds: this.writers.map((w) => ({ name: w.name, version: w.projection.version, build: w.build, position: w.position, live: this.live.has(w) })),
      state: this.state,
      done: position,
      total: Math.max(this.head, position),
      resumedFrom: this.resumedFrom,
      eventsRead: this.eventsRead,
      eventsPerSecond,
      etaSeconds: this.state !== 'running' ? 0 : positionsPerSecond > 0 ? Math.ceil(left / positionsPerSecond) : null,
      startedAt: this.startedAt.toISOString(),
      ...(this.finishedAt ? { finishedAt: this.finishedAt.toISOString() } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private position(): number {
    return this.writers.length === 0 ? 0 : Math.min(...this.writers.map((w) => w.position));
  }

  private async execute(): Promise<RebuildProgress> {
    try {
      this.writers = [];
      for (const projection of this.projections) {
        const writer = await ProjectionBuildWriter.open(this.db, projection, {
          rebuild: true,
          upcast: this.options.upcast,
          fence: this.options.fence?.(projection.name),
        });
        this.writers.push(writer);
        if (await writer.isLive()) this.live.add(writer);
      }
      this.buildsRecorded(true);
      this.resumedFrom = this.position();
      this.startedNs = process.hrtime.bigint();
      if (this.resumedFrom > 0) this.logger.log(`resuming ${this.describe()} from position ${this.resumedFrom}`);
      this.state = (await this.catchUpAndSwitch()) ? 'done' : 'stopped';
    } catch (error) {
      this.state = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      this.logger.error(`rebuild of ${this.describe()} failed at position ${this.position()}: ${this.error}`);
    }
    this.buildsRecorded(false); // no-op once recorded
    this.finishedAt = new Date();
    const progress = this.progress();
    await this.options.onProgress?.(progress);
    if (this.state === 'failed') throw new Error(`rebuild of ${this.describe()} failed: ${this.error}`);
    return progress;
  }

  /** Reads until every build covers the head, then switches; goes round again for what arrived meanwhile. False when stopped first. */
  private async catchUpAndSwitch(): Promise<boolean> {
    let resyncs = 0;
    while (!this.stopping) {
      this.head = await this.store.headPosition();
      try {
        await this.readOnce();
      } catch (error) {
        if (!(error instanceof BuildMovedError) || ++resyncs > MAX_RESYNCS) throw error;
        for (const writer of this.writers) await writer.resync();
        continue;
      }
      if (this.stopping) return false;
      if (await this.switchCaughtUp()) return true;
    }
    return false;
  }

  private async readOnce(): Promise<void> {
    // Only the types the builds handle (where the store can leave the others out, SQLite: most of a log is lab results).
    const types = [...new Set(this.projections.flatMap((projection) => projection.handles))];
    let read = this.position();
    for await (const batch of this.store.readAll({ after: read, batchSize: this.batchSize, types })) {
      for (const writer of this.writers) await writer.write(batch);
      const last = batch[batch.length - 1].globalPosition;
      // The log's events passed, whether handed over or left out by the store.
      this.eventsRead += last - read;
      read = last;
      if (last > this.head) this.head = last;
      await this.options.onProgress?.(this.progress());
      if (this.stopping) return;
      await yieldToIo();
    }
  }

  /** True once every build is live. */
  private async switchCaughtUp(): Promise<boolean> {
    const head = await this.store.headPosition();
    this.head = Math.max(this.head, head);
    let all = true;
    for (const writer of this.writers) {
      if (writer.position < head) {
        all = false;
        continue;
      }
      if (this.live.has(writer)) {
        await writer.makeDurable(); // a first build: live from the start, caught up now
        continue;
      }
      const { switched, replaced } = await writer.switchLive();
      if (switched) this.live.add(writer);
      if (switched)
        this.logger.log(
          `${writer.name} build ${writer.build} is now live${replaced ? `, replacing build ${replaced.build}` : ''} (position ${writer.position})`,
        );
      else all = false;
    }
    return all;
  }

  private describe(): string {
    return this.projections.map((p) => p.name).join(', ');
  }
}
