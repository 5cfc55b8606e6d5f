import { inCurrentSchema } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import type { ReadModelSql } from '../store/read-model-store';
import type { Projection, ProjectionTransaction } from './projection';
import { buildTable, ProjectionBuild, ReadModelDatabase } from './read-model-database';

/** The build was dropped or replaced by a newer live build: whoever writes it stops for good. */
export class BuildRetiredError extends Error {
  constructor(name: string, build: number) {
    super(`build ${build} of ${name} no longer exists (replaced by a newer live build)`);
    this.name = 'BuildRetiredError';
  }
}

/** Another writer (another process rebuilding the same build) moved the checkpoint: re-read it and go on from there. */
export class BuildMovedError extends Error {
  constructor(name: string, build: number, expected: number, actual: number) {
    super(`build ${build} of ${name} is at position ${actual}, not ${expected}: another writer is building it too`);
    this.name = 'BuildMovedError';
  }
}

export interface BuildWriterOptions {
  /** Brings a stored event to its current schema before the projection sees it (default: the domain's upcasters). */
  upcast?: (event: StoredEvent) => StoredEvent;
  /**
   * Runs first in every transaction that writes the build, and throws to refuse it: the lease of this
   * projection (a node that lost it writes nothing more, see leadership/lease.ts).
   */
  fence?: (sql: ReadModelSql) => Promise<void>;
}

export interface OpenBuildOptions {
  /** Start (or resume) a build beside the live one even when the live build is of this version. */
  rebuild?: boolean;
}

/**
 * What writes one build of a projection: hands it batches of the log (upcast, filtered to what it
 * handles) and moves its checkpoint in the same transaction as its tables. The checkpoint in the
 * database is the truth: a batch is written only if the build is still where this writer left it, so
 * two writers of one build (a CLI and a server both resuming it) never apply an event twice.
 */
export class ProjectionBuildWriter {
  private readonly handles: Set<string>;
  private readonly upcast: (event: StoredEvent) => StoredEvent;
  private readonly fence: (sql: ReadModelSql) => Promise<void>;
  private committed: number;

  private constructor(
    private readonly db: ReadModelDatabase,
    readonly projection: Projection,
    readonly build: number,
    position: number,
    options: BuildWriterOptions,
  ) {
    this.handles = new Set(projection.handles);
    this.upcast = options.upcast ?? inCurrentSchema;
    this.committed = position;
    this.fence = options.fence ?? (async () => undefined);
  }

  /**
   * Finds or creates the build to write, in one transaction: the live build of this version (unless
   * `rebuild`); else a build of this version left half-done (resumed from its checkpoint); else a new
   * build with fresh tables, live at once only when the projection has no live build at all.
   */
  static async open(db: ReadModelDatabase, projection: Projection, options: OpenBuildOptions & BuildWriterOptions = {}): Promise<ProjectionBuildWriter> {
    const { name, version } = projection;
    const live = await db.liveBuild(name);
    if (live && live.version > version) {
      throw new Error(`read model ${name} is live at version ${live.version}, newer than this code's version ${version}: refusing to run an older projection`);
    }
    const build = await db.transaction(async (sql) => {
      await options.fence?.(sql);
      const builds = await db.builds(name, sql);
      const sameVersion = (status: string) => builds.filter((b) => b.version === version && b.status === status);
      const resumable = [...(options.rebuild ? [] : sameVersion('live')), ...sameVersion('building').reverse()];
      if (resumable.length > 0) return resumable[0];
      // A half-built build of another version is of no use any more.
      for (const abandoned of builds.filter((b) => b.status === 'building')) await db.dropBuild(sql, abandoned);
      const created = await db.createBuild(sql, name, version);
      await projection.install(transactionOf(sql, projection, created.build));
      return created;
    });
    return new ProjectionBuildWriter(db, projection, build.build, build.position, options);
  }

  get name(): string {
    return this.projection.name;
  }

  /** Global position the build's tables cover, as this writer committed it. */
  get position(): number {
    return this.committed;
  }

  /** The build's row in the registry, undefined once dropped. */
  registered(sql?: ReadModelSql): Promise<ProjectionBuild | undefined> {
    return this.db.build(this.name, this.build, sql);
  }

  async isLive(): Promise<boolean> {
    return (await this.registered())?.status === 'live';
  }

  /** Takes the checkpoint from the database again (after a failed batch, or another writer's). */
  async resync(): Promise<number> {
    const row = await this.registered();
    if (!row) throw new BuildRetiredError(this.name, this.build);
    this.committed = row.position;
    return row.position;
  }

  /**
   * Writes a batch of the log (in global order, as read): the events after the checkpoint that the
   * projection handles go to `apply`, and the checkpoint moves to the batch's last position, in one
   * transaction. Returns how many events the projection was given.
   *
   * The transaction does not wait for the disk: a read model is derived from the log, which is
   * durable. A power cut loses at most the last batches, never corrupts them (WAL), and they are
   * projected again from the checkpoint that reached the disk. A switch to live (`switchLive`) is
   * durable, and its fsync carries every batch before it. An fsync per batch would block the event
   * loop once more per append under load, for nothing the log does not already keep.
   */
  async write(batch: readonly StoredEvent[]): Promise<number> {
    if (batch.length === 0) return 0;
    const last = batch[batch.length - 1].globalPosition;
    const from = this.committed;
    if (last <= from) return 0;
    const events: StoredEvent[] = [];
    for (const event of batch) if (event.globalPosition > from && this.handles.has(event.type)) events.push(this.upcast(event));
    await this.db.transaction(
      async (sql) => {
        await this.fence(sql);
        await this.assertAt(sql, from);
        if (events.length > 0) await this.projection.apply(events, transactionOf(sql, this.projection, this.build));
        await this.db.advance(sql, this.name, this.build, last);
      },
      { durable: false },
    );
    this.committed = last;
    this.db.events.emit('checkpoint', { name: this.name, build: this.build, position: last });
    return events.length;
  }

  /**
   * Blue/green: makes this build the live one, dropping the build it replaces, in one durable
   * transaction (a synchronous=FULL commit, whose fsync of the WAL also makes durable every batch
   * committed before it without waiting for the disk). Only when the build covers at least what the
   * live build covers, so a reader never sees the read model step back. Returns false when not yet.
   */
  async switchLive(): Promise<{ switched: boolean; replaced?: ProjectionBuild }> {
    const switched = await this.db.transaction(async (sql): Promise<{ switched: boolean; replaced?: ProjectionBuild }> => {
      await this.fence(sql);
      await this.assertAt(sql, this.committed);
      const live = await this.db.liveBuild(this.name, sql);
      if (live?.build === this.build) return { switched: true };
      if (live && live.position > this.committed) return { switched: false };
      return { switched: true, replaced: await this.db.switchLive(sql, this.name, this.build) };
    });
    if (switched.replaced) this.db.events.emit('switched', { name: this.name, build: this.build, position: this.committed });
    return switched;
  }

  /** Makes everything written so far durable (a synchronous=FULL commit of the checkpoint). */
  async makeDurable(): Promise<void> {
    await this.db.transaction(async (sql) => {
      await this.fence(sql);
      await this.assertAt(sql, this.committed);
      await this.db.advance(sql, this.name, this.build, this.committed);
    });
  }

  private async assertAt(sql: ReadModelSql, position: number): Promise<void> {
    const row = await this.registered(sql);
    if (!row) throw new BuildRetiredError(this.name, this.build);
    if (row.position !== position) throw new BuildMovedError(this.name, this.build, position, row.position);
  }
}

function transactionOf(sql: ReadModelSql, projection: Projection, build: number): ProjectionTransaction {
  // The adapters' handles are plain objects of functions: spreading them keeps every method.
  return { ...sql, table: (table) => buildTable(projection.name, projection.version, build, table) };
}
