import { Pool } from 'pg';
import { AppendRequest, prepareAppend } from '../append-request';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store';
import { DuplicateEventIdError, EventStoreClosedError, InvalidAppendError, WrongExpectedVersionError } from '../errors';
import { GroupCommit, Outcome } from '../group-commit';
import { positionOfEvent, readInBatches } from '../batched-read';
import { SubscriptionSet } from '../polling-subscription';
import { WakeSignal } from '../wake-signal';
import { appendBatchCall, BatchAnswer, batchCall, BatchOutcome, batchOutcomes } from './append-batch';
import { EventRow, eventColumns, toStoredEvent } from './event-row';
import { CheckpointLog } from '../checkpoints/checkpoint-log';
import { assertDatabaseHashesAsVigil } from './hashing-check';
import { NotificationListener } from './notification-listener';
import { PostgresCheckpointLog } from './postgres-checkpoint-log';
import { PostgresSnapshotLog } from './postgres-snapshot-log';
import type { SnapshotLog } from '../snapshots/snapshot-log';
import { assertSchemaName, migrate } from './schema';

export interface PostgresEventStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema holding the event tables (default 'vigil'); created if missing. */
  schema?: string;
  /** How often a waiting subscription looks for new events should a notification be missed (default 250 ms). */
  pollIntervalMs?: number;
  /** Connections for reads and writes (default 10). */
  poolSize?: number;
}

export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  return PostgresEventStore.open(options);
}

const lastPosition = '9223372036854775807';
/** Stream versions are PostgreSQL integers. */
const lastVersion = 2147483647;

/**
 * The PostgreSQL event store. Every append transaction takes one advisory lock first and holds it to its
 * commit, so global positions are assigned (max + 1, no gaps) and committed in the same order: a reader never
 * sees position n + 1 before n, whichever process wrote them. Concurrent appends share a transaction (group
 * commit), sent as one statement (append-function.ts); subscribers are woken by NOTIFY (LISTEN from the first
 * subscription on), and poll as a fallback.
 */
export class PostgresEventStore implements EventStore {
  private readonly signal = new WakeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly writes = new GroupCommit<AppendRequest, AppendResult>((batch) => this.commitBatch(batch));
  private closing = false;
  readonly checkpoints: CheckpointLog;
  readonly snapshots: SnapshotLog;

  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'vigil';
    assertSchemaName(schema);
    const pool = new Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle connection that dies is dropped by the pool; the next query opens another.
    pool.on('error', () => undefined);
    const pollIntervalMs = options.pollIntervalMs ?? 250;
    const signal = new WakeSignal();
    const listener = new NotificationListener({ connectionString: options.url }, `${schema}_events`, signal, pollIntervalMs);
    try {
      await migrate(pool, schema);
      await assertDatabaseHashesAsVigil(pool, schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresEventStore(pool, schema, listener, signal, pollIntervalMs);
  }

  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly listener: NotificationListener,
    signal: WakeSignal,
    private readonly pollIntervalMs: number,
  ) {
    this.signal = signal;
    this.checkpoints = new PostgresCheckpointLog(pool, schema, () => this.assertOpen());
    this.snapshots = new PostgresSnapshotLog(pool, schema, () => this.assertOpen());
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    return this.writes.submit(prepareAppend(streamId, events, options));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.streamEvents(streamId, options.fromVersion ?? 1, options.toVersion ?? lastVersion);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    return this.versionOf(streamId);
  }

  readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent[]> {
    return readInBatches(
      (after, limit, to) => this.readBatch(after, limit, to),
      options,
      () => this.assertOpen(),
      positionOfEvent,
    );
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ head: string }>(`SELECT COALESCE(MAX(global_position), 0) AS head FROM ${this.schema}.events`);
    return Number(rows[0].head);
  }

  async findCommand(commandId: string): Promise<StoredEvent[] | null> {
    this.assertOpen();
    const { rows } = await this.pool.query<CommandRow>(
      `SELECT command_id, stream_id, version_after, event_count FROM ${this.schema}.commands WHERE command_id = $1`,
      [commandId],
    );
    return rows.length === 0 ? null : this.eventsOfCommand(rows[0]);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    // LISTEN from the first subscription on: a process that only appends holds no listening connection, and its
    // own commits wake nothing in it. Until LISTEN is in place the subscription polls; once it is, it looks again.
    this.listener.listen();
    const source = {
      readBatch: async (after: number, limit: number) => (this.closing ? [] : this.readBatch(after, limit)),
      signal: this.signal,
      pollIntervalMs: this.pollIntervalMs,
    };
    return this.subscriptions.open(options, handler, source);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.subscriptions.stopAll();
    await this.writes.drain();
    await this.listener.stop();
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closing) throw new EventStoreClosedError();
  }

  // The reads below also serve appends still in flight while the store closes (close drains them): no assertOpen.

  private async streamEvents(streamId: string, fromVersion: number, toVersion: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${eventColumns} FROM ${this.schema}.events
        WHERE stream_id = $1 AND stream_version BETWEEN $2 AND $3 ORDER BY stream_version`,
      [streamId, Math.min(fromVersion, lastVersion), Math.min(toVersion, lastVersion)],
    );
    return rows.map(toStoredEvent);
  }

  private async versionOf(streamId: string): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>(
      `SELECT COALESCE(MAX(stream_version), 0) AS version FROM ${this.schema}.events WHERE stream_id = $1`,
      [streamId],
    );
    return rows[0].version;
  }

  private async readBatch(after: number, limit: number, to?: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${eventColumns} FROM ${this.schema}.events
        WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position LIMIT $3`,
      [after, to ?? lastPosition, limit],
    );
    return rows.map(toStoredEvent);
  }

  /** The events a command stored: the last `eventCount` versions of its stream up to `versionAfter`. */
  private async eventsOfCommand(command: CommandRow): Promise<StoredEvent[]> {
    if (command.event_count === 0) return [];
    if (command.event_count === null) {
      // Recorded by an older Vigil during an upgrade (append-function.ts): found by command id, from the stream.
      const { rows } = await this.pool.query<EventRow>(
        `SELECT ${eventColumns} FROM ${this.schema}.events
          WHERE stream_id = $1 AND stream_version <= $2 AND command_id = $3 ORDER BY stream_version`,
        [command.stream_id, command.version_after, command.command_id],
      );
      return rows.map(toStoredEvent);
    }
    return this.streamEvents(command.stream_id, command.version_after - command.event_count + 1, command.version_after);
  }

  /**
   * Commits the batch in one statement (append-function.ts). Should the statement fail on one append's data (a
   * value PostgreSQL refuses, a constraint the checks did not foresee), each append is committed alone, so that
   * one fails by itself.
   */
  private async commitBatch(batch: AppendRequest[]): Promise<Outcome<AppendResult>[]> {
    try {
      return await this.commitTogether(batch);
    } catch (error) {
      if (!isDataError(error)) throw error; // the database itself is in trouble: the whole batch fails
      if (batch.length === 1) return [{ ok: false, error: await this.explain(error, batch[0]) }];
      const outcomes: Outcome<AppendResult>[] = [];
      for (const request of batch) outcomes.push(...(await this.commitBatch([request])));
      return outcomes;
    }
  }

  private async commitTogether(batch: AppendRequest[]): Promise<Outcome<AppendResult>[]> {
    const call = batchCall(batch, new Date().toISOString());
    const { rows } = await this.pool.query<BatchAnswer>({ name: `vigil-append-${this.schema}`, text: appendBatchCall(this.schema), values: call.values });
    const outcomes = batchOutcomes(batch, call, rows[0]);
    if (outcomes.some((o) => o.kind === 'stored' && o.result.events.length > 0)) this.signal.notify();
    const results: Outcome<AppendResult>[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.kind === 'failed') results.push({ ok: false, error: outcome.error });
      else if (outcome.kind === 'stored') results.push({ ok: true, value: outcome.result });
      else results.push({ ok: true, value: await this.firstResult(batch, outcomes, i, outcome) });
    }
    return results;
  }

  /** A repeated command's first result: from the batch when it was stored there, else read back. */
  private async firstResult(
    batch: AppendRequest[],
    outcomes: BatchOutcome[],
    index: number,
    duplicate: Extract<BatchOutcome, { kind: 'duplicate' }>,
  ): Promise<AppendResult> {
    const commandId = batch[index].commandId;
    const inBatch = outcomes.find((o, i) => i < index && o.kind === 'stored' && batch[i].commandId === commandId);
    if (inBatch?.kind === 'stored') return { ...inBatch.result, duplicate: true };
    const events = await this.eventsOfCommand({
      command_id: commandId,
      stream_id: duplicate.streamId,
      version_after: duplicate.version,
      event_count: duplicate.eventCount,
    });
    return { streamId: duplicate.streamId, events, version: duplicate.version, duplicate: true };
  }

  /** Why an append committed alone failed, in the port's terms when it is the append's own fault. */
  private async explain(error: unknown, request: AppendRequest): Promise<unknown> {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code?.startsWith('22')) return new InvalidAppendError(`PostgreSQL refused the event: ${(error as Error).message}`);
    if (constraint === 'events_event_id_key') {
      const ids = request.events.map((e) => e.eventId).filter((id): id is string => id !== null);
      const { rows } = await this.pool.query<{ event_id: string }>(`SELECT event_id FROM ${this.schema}.events WHERE event_id = ANY($1::uuid[]) LIMIT 1`, [
        ids,
      ]);
      return new DuplicateEventIdError(rows[0]?.event_id ?? ids[0] ?? '(unknown)');
    }
    if (constraint === 'events_stream_id_stream_version_key') {
      return new WrongExpectedVersionError(request.streamId, request.expectedVersion, await this.versionOf(request.streamId));
    }
    return error;
  }
}

interface CommandRow {
  command_id: string;
  stream_id: string;
  version_after: number;
  /** Null for a command recorded by an older Vigil during an upgrade. */
  event_count: number | null;
}

/** Data exceptions (22) and integrity violations (23): what one append's content can cause. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
