import { Pool, PoolClient, QueryResult } from 'pg';
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
import { checkExpectedVersion } from '../expected-version';
import { GroupCommit, Outcome } from '../group-commit';
import { positionOfEvent, readInBatches } from '../batched-read';
import { SubscriptionSet } from '../polling-subscription';
import { emptyStream, sealEvents, StreamHead } from '../seal';
import { WakeSignal } from '../wake-signal';
import { EventRow, eventColumns, toStoredEvent } from './event-row';
import { CheckpointLog } from '../checkpoints/checkpoint-log';
import { NotificationListener } from './notification-listener';
import { PostgresCheckpointLog } from './postgres-checkpoint-log';
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
const uniqueViolation = '23505';

/**
 * The PostgreSQL event store. Every write transaction takes one advisory lock first, so global
 * positions are assigned (max + 1, no gaps) and committed in the same order: a reader never sees
 * position n + 1 before n. Concurrent appends share a transaction (group commit), each in its own
 * savepoint; subscribers are woken by NOTIFY, and poll as a fallback.
 */
export class PostgresEventStore implements EventStore {
  private readonly signal = new WakeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly writes = new GroupCommit<AppendRequest, AppendResult>((batch) => this.commitBatch(batch));
  private closing = false;
  readonly checkpoints: CheckpointLog;

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
      await listener.start();
    } catch (error) {
      await listener.stop();
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
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    return this.writes.submit(prepareAppend(streamId, events, options));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${eventColumns} FROM ${this.schema}.events
        WHERE stream_id = $1 AND stream_version BETWEEN $2 AND $3 ORDER BY stream_version`,
      [streamId, Math.min(options.fromVersion ?? 1, 2147483647), Math.min(options.toVersion ?? 2147483647, 2147483647)],
    );
    return rows.map(toStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ version: number }>(
      `SELECT COALESCE(MAX(stream_version), 0) AS version FROM ${this.schema}.events WHERE stream_id = $1`,
      [streamId],
    );
    return rows[0].version;
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
    const { rows } = await this.pool.query(`SELECT 1 FROM ${this.schema}.commands WHERE command_id = $1`, [commandId]);
    if (rows.length === 0) return null;
    return this.eventsOfCommand(this.pool, commandId);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
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

  private async readBatch(after: number, limit: number, to?: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${eventColumns} FROM ${this.schema}.events
        WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position LIMIT $3`,
      [after, to ?? lastPosition, limit],
    );
    return rows.map(toStoredEvent);
  }

  private async eventsOfCommand(db: Pool | PoolClient, commandId: string): Promise<StoredEvent[]> {
    const { rows } = await db.query<EventRow>(`SELECT ${eventColumns} FROM ${this.schema}.events WHERE command_id = $1 ORDER BY global_position`, [commandId]);
    return rows.map(toStoredEvent);
  }

  /** One transaction for every append of the batch, each in its own savepoint, positions assigned under the lock. */
  private async commitBatch(batch: AppendRequest[]): Promise<Outcome<AppendResult>[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      // One round trip: the schema name is checked (assertSchemaName), so it can sit in the text.
      const opened = (await client.query(
        `BEGIN;
         SELECT pg_advisory_xact_lock(hashtext('vigil.append:${this.schema}'));
         SELECT COALESCE(MAX(global_position), 0) AS head FROM ${this.schema}.events;`,
      )) as unknown as QueryResult<{ head: string }>[];
      const recordedAt = new Date().toISOString();
      let next = Number(opened[2].rows[0].head) + 1;
      const outcomes: Outcome<AppendResult>[] = [];
      for (const request of batch) {
        await client.query('SAVEPOINT one_append');
        try {
          const result = await this.appendOne(client, request, next, recordedAt);
          await client.query('RELEASE SAVEPOINT one_append');
          if (!result.duplicate) next += result.events.length;
          outcomes.push({ ok: true, value: result });
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT one_append');
          await client.query('RELEASE SAVEPOINT one_append');
          outcomes.push({ ok: false, error: await this.explain(client, error, request) });
        }
      }
      const stored = outcomes.some((o) => o.ok && !o.value.duplicate && o.value.events.length > 0);
      // NOTIFY is delivered at commit, so a woken subscriber always finds the events.
      await client.query(stored ? `SELECT pg_notify('${this.schema}_events', '${next - 1}'); COMMIT;` : 'COMMIT');
      this.signal.notify();
      return outcomes;
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async appendOne(client: PoolClient, request: AppendRequest, position: number, recordedAt: string): Promise<AppendResult> {
    const { rows } = await client.query<{ command: { stream_id: string; version_after: number } | null; head: StreamHead | null }>(
      `SELECT
         (SELECT json_build_object('stream_id', stream_id, 'version_after', version_after)
            FROM ${this.schema}.commands WHERE command_id = $1) AS command,
         (SELECT json_build_object('version', stream_version, 'hash', hash)
            FROM ${this.schema}.events WHERE stream_id = $2 ORDER BY stream_version DESC LIMIT 1) AS head`,
      [request.commandId, request.streamId],
    );
    const { command, head: found } = rows[0];
    if (command) {
      const events = await this.eventsOfCommand(client, request.commandId);
      return { streamId: command.stream_id, events, version: command.version_after, duplicate: true };
    }
    const head = found ?? emptyStream;
    checkExpectedVersion(request.streamId, request.expectedVersion, head.version);
    const sealed = sealEvents(request, head, recordedAt);
    sealed.forEach(({ event }, index) => (event.globalPosition = position + index));
    const version = head.version + sealed.length;
    const column = <T>(pick: (s: (typeof sealed)[number]) => T) => sealed.map(pick);
    await client.query(
      // A data-modifying WITH always runs to completion: events and command row go in one statement.
      `WITH stored AS (
         INSERT INTO ${this.schema}.events (global_position, event_id, stream_id, stream_version, type, schema_version,
           data, metadata, hash, previous_hash, recorded_at, command_id)
         SELECT p, e, $3, v, t, sv, d::json, m::json, h, ph, r, $4
           FROM unnest($1::bigint[], $2::uuid[], $5::int[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[],
                       $11::text[], $12::timestamptz[]) AS x(p, e, v, t, sv, d, m, h, ph, r)
       )
       INSERT INTO ${this.schema}.commands (command_id, stream_id, version_after, recorded_at) VALUES ($4, $3, $13, $14)`,
      [
        column((s) => s.event.globalPosition),
        column((s) => s.event.eventId),
        request.streamId,
        request.commandId,
        column((s) => s.event.streamVersion),
        column((s) => s.event.type),
        column((s) => s.event.schemaVersion),
        column((s) => s.dataJson),
        column((s) => s.metadataJson),
        column((s) => s.event.hash),
        column((s) => s.event.previousHash),
        column((s) => new Date(s.event.metadata.recordedAt).toISOString()),
        version,
        recordedAt,
      ],
    );
    return { streamId: request.streamId, events: sealed.map((s) => s.event), version, duplicate: false };
  }

  /** A unique violation inside one append is that append's own failure, in the port's terms. */
  private async explain(client: PoolClient, error: unknown, request: AppendRequest): Promise<unknown> {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code?.startsWith('22')) return new InvalidAppendError(`PostgreSQL refused the event: ${(error as Error).message}`);
    if (code !== uniqueViolation) {
      if (code && /^[0-9A-Z]{5}$/.test(code)) throw error; // the database itself is in trouble: fail the whole batch
      return error;
    }
    if (constraint !== 'events_event_id_key' && constraint !== 'events_stream_id_stream_version_key') throw error;
    if (constraint === 'events_event_id_key') {
      const ids = request.events.map((e) => e.eventId).filter((id): id is string => id !== null);
      const { rows } = await client.query<{ event_id: string }>(`SELECT event_id FROM ${this.schema}.events WHERE event_id = ANY($1::uuid[]) LIMIT 1`, [ids]);
      return new DuplicateEventIdError(rows[0]?.event_id ?? ids[0] ?? '(unknown)');
    }
    const { rows } = await client.query<{ version: number }>(
      `SELECT COALESCE(MAX(stream_version), 0) AS version FROM ${this.schema}.events WHERE stream_id = $1`,
      [request.streamId],
    );
    return new WrongExpectedVersionError(request.streamId, request.expectedVersion, rows[0].version);
  }
}
