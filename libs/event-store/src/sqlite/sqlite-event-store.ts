import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppendRequest, prepareAppend } from '../append-request';
import {
  AppendOptions,
  AppendResult,
  ChainRecord,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store';
import { DuplicateEventIdError, EventStoreClosedError, WrongExpectedVersionError } from '../errors';
import { checkExpectedVersion } from '../expected-version';
import { GroupCommit, Outcome } from '../group-commit';
import { positionOfEvent, positionOfRecord, readInBatches } from '../batched-read';
import { SubscriptionSet } from '../polling-subscription';
import { emptyStream, sealEvents, StreamHead } from '../seal';
import { WakeSignal } from '../wake-signal';
import { CheckpointLog } from '../checkpoints/checkpoint-log';
import { chainRecordColumns } from './chain-record';
import { SqliteCheckpointLog } from './sqlite-checkpoint-log';
import { SqliteSnapshotLog } from './sqlite-snapshot-log';
import { checkChainRanges } from './parallel-chain-check';
import type { SnapshotLog } from '../snapshots/snapshot-log';
import { EventRow, eventColumns, parsedEvent, toStoredEvent } from './event-row';
import { migrate } from './schema';

export interface SqliteEventStoreOptions {
  /** Database file (its folder is created), or ':memory:'. */
  file: string;
  /** How often a waiting subscription looks for events written by another process (default 250 ms). */
  pollIntervalMs?: number;
  /** How long to wait for another process's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
}

export async function createSqliteEventStore(options: SqliteEventStoreOptions): Promise<EventStore> {
  return SqliteEventStore.open(options);
}

const lastVersion = Number.MAX_SAFE_INTEGER;
/** Streams whose heads are kept (SqliteEventStore.ownHeads): beyond, they are forgotten and read again. */
const MAX_OWN_HEADS = 100_000;

/** A write to the store's own other tables that joins a group commit (sideWrite). */
interface SideWrite {
  side: () => void;
}

interface CommandRow {
  stream_id: string;
  version_after: number;
  event_count: number;
}

/** A typed read (readBatchOf) scans at most this many batches' worth of positions per call: a bounded pause of the event loop. */
const TYPED_WINDOW = 16;

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL, so an append is
 * acknowledged only once it is on disk. Concurrent appends share one transaction and one fsync
 * (group commit), each in its own savepoint so a conflicting append fails alone.
 */
export class SqliteEventStore implements EventStore {
  private readonly signal = new WakeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly writes = new GroupCommit<AppendRequest | SideWrite, AppendResult>((batch) => this.commitBatch(batch));
  private closing = false;
  /**
   * The versions this connection's commits left streams at, while no other connection has written to the file
   * (PRAGMA data_version unchanged since `dataVersion`): a read of a stream from past its head is then answered
   * without a query (the command path reads each stream's tail before deciding, and it is nearly always empty).
   */
  private readonly ownHeads = new Map<string, number>();
  private dataVersion = -1;
  private readonly sql;
  readonly checkpoints: CheckpointLog;
  readonly snapshots: SnapshotLog;
  readonly checkChainRanges?: EventStore['checkChainRanges'];

  static open(options: SqliteEventStoreOptions): SqliteEventStore {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 10_000 });
    try {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so an acknowledged append survives a power cut.
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteEventStore(db, options.pollIntervalMs ?? 250);
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly pollIntervalMs: number,
  ) {
    this.checkpoints = new SqliteCheckpointLog(
      db,
      () => this.assertOpen(),
      (write) => this.sideWrite(write),
    );
    // Reader threads open the file on connections of their own: an in-memory database has none to open.
    if (db.name !== ':memory:' && db.name !== '') {
      const file = db.name;
      this.checkChainRanges = (ranges, options) => {
        this.assertOpen();
        return checkChainRanges(file, ranges, options);
      };
    }
    this.snapshots = new SqliteSnapshotLog(
      db,
      () => this.assertOpen(),
      (write) => this.sideWrite(write),
    );
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT one_append'),
      release: db.prepare('RELEASE one_append'),
      rollbackTo: db.prepare('ROLLBACK TO one_append'),
      head: db.prepare<[string], StreamHead>('SELECT stream_version AS version, hash FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1'),
      command: db.prepare<[string], CommandRow>('SELECT stream_id, version_after, event_count FROM commands WHERE command_id = ?'),
      insertEvent: db.prepare(
        `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata, hash,
           previous_hash, recorded_at, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertCommand: db.prepare('INSERT INTO commands (command_id, stream_id, version_after, event_count, recorded_at) VALUES (?, ?, ?, ?, ?)'),
      eventIdTaken: db.prepare<[string], number>('SELECT 1 FROM events WHERE event_id = ?').pluck(),
      stream: db
        .prepare<[string, number, number], EventRow>(
          `SELECT ${eventColumns} FROM events WHERE stream_id = ? AND stream_version BETWEEN ? AND ? ORDER BY stream_version`,
        )
        .raw(true),
      streamVersion: db.prepare<[string], number>('SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = ?').pluck(),
      all: db
        .prepare<[number, number, number], EventRow>(
          `SELECT ${eventColumns} FROM events WHERE global_position > ? AND global_position <= ?
             ORDER BY global_position LIMIT ?`,
        )
        .raw(true),
      chainRecords: db
        .prepare<[number, number, number], ChainRecord>(
          `SELECT ${chainRecordColumns} FROM events WHERE global_position > ? AND global_position <= ?
             ORDER BY global_position LIMIT ?`,
        )
        .raw(true),
      // Events of the types asked for (a JSON array) within a window of positions: the others are skipped by SQLite,
      // never handed to JavaScript (a projection of enrolments and doses reads one event in ten of a lab-heavy log).
      ofTypes: db
        .prepare<[{ types: string; after: number; until: number; limit: number }], EventRow>(
          `SELECT ${eventColumns} FROM events
             WHERE global_position > @after AND global_position <= @until AND type IN (SELECT value FROM json_each(@types))
             ORDER BY global_position LIMIT @limit`,
        )
        .raw(true),
      lastInWindow: db
        .prepare<[{ after: number; until: number }], EventRow>(
          `SELECT ${eventColumns} FROM events WHERE global_position > @after AND global_position <= @until ORDER BY global_position DESC LIMIT 1`,
        )
        .raw(true),
      headPosition: db.prepare<[], number>('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck(),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    return this.writes.submit(prepareAppend(streamId, events, options));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = options.fromVersion ?? 1;
    if (from > 1 && from > (this.ownHead(streamId) ?? Infinity)) return [];
    const rows = this.sql.stream.all(streamId, options.fromVersion ?? 1, options.toVersion ?? lastVersion);
    return rows.map(toStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    return this.sql.streamVersion.get(streamId) as number;
  }

  readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent[]> {
    if (options.types) return this.readAllOf(JSON.stringify(options.types), options);
    return readInBatches(
      (after, limit, to) => this.readBatch(after, limit, to),
      options,
      () => this.assertOpen(),
      positionOfEvent,
    );
  }

  /** Rows as SQLite hands them over, envelope included: no JSON parsed, one object per event. */
  readChainRecords(options: ReadAllOptions = {}): AsyncGenerator<ChainRecord[]> {
    return readInBatches(
      (after, limit, to = lastVersion) => this.sql.chainRecords.all(after, to, limit),
      options,
      () => this.assertOpen(),
      positionOfRecord,
    );
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.sql.headPosition.get() as number;
  }

  async findCommand(commandId: string): Promise<StoredEvent[] | null> {
    this.assertOpen();
    const command = this.sql.command.get(commandId);
    return command ? this.eventsOf(command) : null;
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const types = options.types && JSON.stringify(options.types);
    const source = {
      readBatch: async (after: number, limit: number) => (this.closing ? [] : types ? this.readBatchOf(types, after, limit) : this.readBatch(after, limit)),
      signal: this.signal,
      pollIntervalMs: this.pollIntervalMs,
    };
    return this.subscriptions.open(options, handler, source);
  }

  /** Another thread committed to this file: waiting subscriptions read now rather than at their next poll. */
  wakeSubscriptions(): void {
    if (!this.closing) this.signal.notify();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.subscriptions.stopAll();
    await this.writes.drain();
    this.db.close();
  }

  /** The events a command appended: the last `event_count` versions of its stream up to `version_after`. */
  private eventsOf(command: CommandRow): StoredEvent[] {
    if (command.event_count === 0) return [];
    const first = command.version_after - command.event_count + 1;
    return this.sql.stream.all(command.stream_id, first, command.version_after).map(toStoredEvent);
  }

  private readBatch(after: number, limit: number, to = lastVersion): StoredEvent[] {
    return this.sql.all.all(after, to, limit).map(toStoredEvent);
  }

  /**
   * A batch of which only events of `types` (a JSON array), and the last event read, are delivered
   * (SubscribeOptions.types). It reads a window of TYPED_WINDOW batches' worth of positions: up to `limit`
   * events of those types in it, and when fewer, the window's last event, whatever its type, so the
   * subscription's position moves past the window. A window with no event at all (at the head, or a gap
   * in the positions) is read as an untyped batch instead: nothing is ever skipped. The window's last event
   * is read first and bounds the typed read: positions commit in order (one writer at a time, max + 1), so
   * every event up to it is there when the typed read runs, even if another process appends in between.
   * A subscriber with types is a projection, which hashes nothing: its events do not keep their
   * canonical texts (parsedEvent).
   */
  private readBatchOf(types: string, after: number, limit: number, to = lastVersion): StoredEvent[] {
    const last = this.sql.lastInWindow.get({ after, until: Math.min(to, after + limit * TYPED_WINDOW) });
    if (last === undefined) return this.sql.all.all(after, to, limit).map(parsedEvent);
    const rows = this.sql.ofTypes.all({ types, after, until: last[0], limit });
    if (rows.length < limit && (rows.length === 0 || rows[rows.length - 1][0] !== last[0])) rows.push(last);
    return rows.map(parsedEvent);
  }

  /** readAll with types: typed batches (readBatchOf) until one is empty; a batch may be short before the end. */
  private async *readAllOf(types: string, options: ReadAllOptions): AsyncGenerator<StoredEvent[]> {
    const batchSize = options.batchSize ?? 1000;
    for (let after = options.after ?? 0; ;) {
      this.assertOpen();
      const batch = this.readBatchOf(types, after, batchSize, options.to);
      if (batch.length === 0) return;
      yield batch;
      after = batch[batch.length - 1].globalPosition;
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new EventStoreClosedError();
  }

  /** One transaction, one fsync, for every append of the batch; each in its own savepoint. */
  /**
   * Runs a write of the store's other tables (checkpoints) in the next group commit: under load it shares
   * the appends' transaction and fsync instead of adding its own. Resolves once committed.
   */
  private async sideWrite<T>(write: () => T): Promise<T> {
    this.assertOpen();
    let result: T | undefined;
    await this.writes.submit({ side: () => void (result = write()) });
    return result as T;
  }

  private commitBatch(batch: (AppendRequest | SideWrite)[]): Outcome<AppendResult>[] {
    const recordedAt = new Date().toISOString();
    const outcomes: Outcome<AppendResult>[] = [];
    this.sql.begin.run();
    try {
      for (const request of batch) {
        this.sql.savepoint.run();
        try {
          if ('side' in request) {
            request.side();
            outcomes.push({ ok: true, value: undefined as never });
          } else outcomes.push({ ok: true, value: this.appendOne(request, recordedAt) });
          this.sql.release.run();
        } catch (error) {
          this.sql.rollbackTo.run();
          this.sql.release.run();
          outcomes.push({ ok: false, error: 'side' in request ? error : this.explain(error, request) });
        }
      }
      this.sql.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.sql.rollback.run();
      throw error;
    }
    this.noteOwnHeads(outcomes);
    this.signal.notify();
    return outcomes;
  }

  /** The version this connection's commits left the stream at, if no other connection wrote since; else undefined. */
  private ownHead(streamId: string): number | undefined {
    const version = this.sql.dataVersion.get() as number;
    if (version !== this.dataVersion) {
      this.ownHeads.clear();
      this.dataVersion = version;
      return undefined;
    }
    return this.ownHeads.get(streamId);
  }

  private noteOwnHeads(outcomes: readonly Outcome<AppendResult | undefined>[]): void {
    if (this.ownHeads.size > MAX_OWN_HEADS) this.ownHeads.clear();
    for (const outcome of outcomes) {
      // A repeated command's version is its first result's, not necessarily the head.
      if (outcome.ok && outcome.value && !outcome.value.duplicate) this.ownHeads.set(outcome.value.streamId, outcome.value.version);
    }
  }

  private appendOne(request: AppendRequest, recordedAt: string): AppendResult {
    const seen = this.sql.command.get(request.commandId);
    if (seen) return { streamId: seen.stream_id, events: this.eventsOf(seen), version: seen.version_after, duplicate: true };
    const head = this.sql.head.get(request.streamId) ?? emptyStream;
    checkExpectedVersion(request.streamId, request.expectedVersion, head.version);
    const sealed = sealEvents(request, head, recordedAt);
    for (const { event, dataJson, metadataJson } of sealed) {
      const inserted = this.sql.insertEvent.run(
        event.eventId,
        event.streamId,
        event.streamVersion,
        event.type,
        event.schemaVersion,
        dataJson,
        metadataJson,
        event.hash,
        event.previousHash,
        event.metadata.recordedAt,
        request.commandId,
      );
      event.globalPosition = Number(inserted.lastInsertRowid);
    }
    const version = head.version + sealed.length;
    this.sql.insertCommand.run(request.commandId, request.streamId, version, sealed.length, recordedAt);
    return { streamId: request.streamId, events: sealed.map((s) => s.event), version, duplicate: false };
  }

  /** A constraint hit inside one append is that append's own failure, in the port's terms. */
  private explain(error: unknown, request: AppendRequest): unknown {
    const code = (error as { code?: string }).code;
    if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      if (code?.startsWith('SQLITE_')) throw error; // the database itself is in trouble: fail the whole batch
      return error;
    }
    const message = (error as Error).message;
    if (message.includes('events.event_id')) {
      const taken = request.events.find((event) => event.eventId !== null && this.sql.eventIdTaken.get(event.eventId));
      return new DuplicateEventIdError(taken?.eventId ?? '(unknown)');
    }
    const actual = this.sql.streamVersion.get(request.streamId) as number;
    return new WrongExpectedVersionError(request.streamId, request.expectedVersion, actual);
  }
}
