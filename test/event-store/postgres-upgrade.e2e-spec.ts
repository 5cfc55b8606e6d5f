import { Client, Pool } from 'pg';
import { ChainVerifier, EventStore, NewEvent, StoredEvent } from '@vigil/event-store';
import { prepareAppend } from '../../libs/event-store/src/append-request';
import { createPostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store';
import { migrate, schemaVersion } from '../../libs/event-store/src/postgres/schema';
import { emptyStream, sealEvents, StreamHead } from '../../libs/event-store/src/seal';
import { describeWithService, findPostgres } from '../support/services';
import { dropSchema, schemaNames, withClient } from './support/schemas';

const labResult = (value: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { value },
  metadata: { userId: 'u-1', role: 'investigator', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: 'c-1' },
});

/**
 * An append as the adapter of schema version 1 wrote it (before `append_batch`): head and last position read
 * under the append lock, events sealed in Node, events and command row inserted by the same statement, the
 * command row without an event count. An older Vigil still running during an upgrade writes exactly this.
 */
async function appendAsVersion1(client: Client, schema: string, streamId: string, events: NewEvent[], commandId: string): Promise<StoredEvent[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('vigil.append:${schema}'))`);
    const { rows } = await client.query<{ head: string; stream: StreamHead | null }>(
      `SELECT (SELECT COALESCE(MAX(global_position), 0) FROM ${schema}.events) AS head,
              (SELECT json_build_object('version', stream_version, 'hash', hash) FROM ${schema}.events
                WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1) AS stream`,
      [streamId],
    );
    const request = prepareAppend(streamId, events, { expectedVersion: 'any', commandId });
    const head = rows[0].stream ?? emptyStream;
    const sealed = sealEvents(request, head, new Date().toISOString());
    sealed.forEach(({ event }, i) => (event.globalPosition = Number(rows[0].head) + i + 1));
    const column = <T>(pick: (s: (typeof sealed)[number]) => T) => sealed.map(pick);
    await client.query(
      `WITH stored AS (
         INSERT INTO ${schema}.events (global_position, event_id, stream_id, stream_version, type, schema_version,
           data, metadata, hash, previous_hash, recorded_at, command_id)
         SELECT p, e, $3, v, t, sv, d::json, m::json, h, ph, r, $4
           FROM unnest($1::bigint[], $2::uuid[], $5::int[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[],
                       $11::text[], $12::timestamptz[]) AS x(p, e, v, t, sv, d, m, h, ph, r)
       )
       INSERT INTO ${schema}.commands (command_id, stream_id, version_after, recorded_at) VALUES ($4, $3, $13, now())`,
      [
        column((s) => s.event.globalPosition),
        column((s) => s.event.eventId),
        streamId,
        commandId,
        column((s) => s.event.streamVersion),
        column((s) => s.event.type),
        column((s) => s.event.schemaVersion),
        column((s) => s.dataJson),
        column((s) => s.metadataJson),
        column((s) => s.event.hash),
        column((s) => s.event.previousHash),
        column((s) => s.event.metadata.recordedAt),
        head.version + sealed.length,
      ],
    );
    await client.query('COMMIT');
    return sealed.map((s) => s.event);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function collect(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const batch of store.readAll()) all.push(...batch);
  return all;
}

describeWithService('PostgreSQL event store upgrade', findPostgres, (postgres) => {
  const nextSchema = schemaNames('es_upgrade');
  let schema: string;
  let store: EventStore | undefined;
  beforeEach(() => (schema = nextSchema()));
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await dropSchema(postgres.url, schema);
  });

  /** A schema at version 1, as the previous Vigil made it, holding two streams and an empty command. */
  async function previousVersionSchema(): Promise<{ a: StoredEvent[]; b: StoredEvent[] }> {
    const pool = new Pool({ connectionString: postgres.url, max: 1 });
    try {
      await migrate(pool, schema, 1);
    } finally {
      await pool.end();
    }
    return withClient(postgres.url, async (client) => {
      const a = await appendAsVersion1(client, schema, 'patient-a', [labResult(1), labResult(2)], 'cmd-a');
      const b = await appendAsVersion1(client, schema, 'patient-b', [labResult(3)], 'cmd-b');
      await appendAsVersion1(client, schema, 'patient-b', [], 'cmd-empty');
      return { a, b };
    });
  }

  it('upgrades a schema written by the previous version: events, positions, chains and commands carry on', async () => {
    const before = await previousVersionSchema();

    store = await createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs: 50 });

    const applied = await withClient(postgres.url, async (client) => ({
      versions: (await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`)).rows.map((r) => r.version),
      commandIndex: (await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_by_command'`, [schema])).rowCount,
      counts: (await client.query(`SELECT command_id, event_count FROM ${schema}.commands ORDER BY command_id`)).rows,
    }));
    expect(applied).toEqual({
      versions: Array.from({ length: schemaVersion }, (_, i) => i + 1),
      commandIndex: 0,
      counts: [
        { command_id: 'cmd-a', event_count: 2 },
        { command_id: 'cmd-b', event_count: 1 },
        { command_id: 'cmd-empty', event_count: 0 },
      ],
    });
    expect(await collect(store)).toEqual([...before.a, ...before.b]);

    const repeated = await store.append('patient-a', [labResult(99)], { expectedVersion: 0, commandId: 'cmd-a' });
    expect(repeated).toEqual({ streamId: 'patient-a', events: before.a, version: 2, duplicate: true });
    expect(await store.findCommand('cmd-b')).toEqual(before.b);
    expect(await store.findCommand('cmd-empty')).toEqual([]);

    const next = await store.append('patient-a', [labResult(4)], { expectedVersion: 2, commandId: 'cmd-next' });
    expect(next.events[0]).toMatchObject({ globalPosition: 4, streamVersion: 3, previousHash: before.a[1].hash });
    const all = await collect(store);
    expect(new ChainVerifier().feed(all).finish()).toEqual({ ok: true, streams: 2, events: 4, broken: [] });
  });

  it('finds the events of a command an older Vigil stored after the upgrade, while both ran', async () => {
    await previousVersionSchema();
    store = await createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs: 50 });

    const written = await withClient(postgres.url, (client) => appendAsVersion1(client, schema, 'patient-a', [labResult(5), labResult(6)], 'cmd-old-node'));

    expect(await store.findCommand('cmd-old-node')).toEqual(written);
    const repeated = await store.append('patient-a', [labResult(5)], { expectedVersion: 2, commandId: 'cmd-old-node' });
    expect(repeated).toEqual({ streamId: 'patient-a', events: written, version: 4, duplicate: true });
    const next = await store.append('patient-a', [labResult(7)], { expectedVersion: 4 });
    expect(next.events[0].previousHash).toBe(written[1].hash);
  });
});
