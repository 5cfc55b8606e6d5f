import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, NewEvent, StoredEvent } from '../event-store';
import { ChainVerifier } from '../chain-verifier';
import { createSqliteEventStore } from './sqlite-event-store';
import { migrate, schemaVersion } from './schema';

const event = (value: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { value },
  metadata: { userId: 'u-1', role: 'investigator', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: 'c-1' },
});

describe('SQLite event store file', () => {
  let dir: string;
  let file: string;
  const stores: EventStore[] = [];
  const open = async (pollIntervalMs = 20) => {
    const store = await createSqliteEventStore({ file, pollIntervalMs });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-file-'));
    file = join(dir, 'events.sqlite');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with synchronous=FULL, so an acknowledged append is on disk', async () => {
    await open();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: read it from the store's own connection.
    const store = stores[0] as unknown as { db: Database.Database };
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
  });

  it('records the schema version in user_version and opens an up-to-date file unchanged', async () => {
    const first = await open();
    await first.append('patient-1', [event(1)], { expectedVersion: 'any' });
    await first.close();
    await open();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(1);
    db.close();
  });

  it('upgrades a file of schema 1: a repeated command still answers with the events it appended', async () => {
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(old, 1);
    const insert = old.prepare(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash, recorded_at, command_id)
       VALUES (?, 'patient-1', ?, 'LabResultRecorded', 1, ?, '{}', ?, ?, '2024-01-01T00:00:00.000Z', ?)`,
    );
    insert.run('018f0000-0000-7000-8000-000000000001', 1, '{"value":1}', 'h1', null, 'enrol');
    insert.run('018f0000-0000-7000-8000-000000000002', 2, '{"value":2}', 'h2', 'h1', 'two-labs');
    insert.run('018f0000-0000-7000-8000-000000000003', 3, '{"value":3}', 'h3', 'h2', 'two-labs');
    const command = old.prepare(
      `INSERT INTO commands (command_id, stream_id, version_after, recorded_at) VALUES (?, 'patient-1', ?, '2024-01-01T00:00:00.000Z')`,
    );
    command.run('enrol', 1);
    command.run('two-labs', 3);
    command.run('nothing-to-add', 3);
    old.close();

    const store = await open();
    expect((await store.findCommand('two-labs'))?.map((e) => e.data)).toEqual([{ value: 2 }, { value: 3 }]);
    expect((await store.findCommand('enrol'))?.map((e) => e.streamVersion)).toEqual([1]);
    expect(await store.findCommand('nothing-to-add')).toEqual([]);
    const repeated = await store.append('patient-1', [event(9)], { expectedVersion: 1, commandId: 'two-labs' });
    expect(repeated).toMatchObject({ duplicate: true, version: 3 });
    expect(repeated.events.map((e) => e.eventId)).toEqual(['018f0000-0000-7000-8000-000000000002', '018f0000-0000-7000-8000-000000000003']);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
    db.close();
  });

  it('refuses a file written by a newer Vigil', async () => {
    const db = new Database(file);
    db.pragma(`user_version = ${schemaVersion + 1}`);
    db.close();
    await expect(open()).rejects.toThrow(/newer than this Vigil knows/);
  });

  it('refuses to change or delete a stored event through the database', async () => {
    const store = await open();
    await store.append('patient-1', [event(1)], { expectedVersion: 'any' });
    const db = new Database(file);
    expect(() => db.prepare('UPDATE events SET data = \'{"value":2}\'').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    db.close();
  });

  it('refuses to change or delete a signed checkpoint through the database', async () => {
    const store = await open();
    const checkpoint = { treeSize: 1, rootHash: 'ab'.repeat(32), signedAt: '2026-03-01T00:00:00.000Z', keyId: 'cd'.repeat(32), signature: 'c2ln' };
    await store.checkpoints?.record(checkpoint, { treeSize: 1, roots: ['ab'.repeat(32)] }, new Map());
    const db = new Database(file);
    expect(() => db.prepare("UPDATE checkpoints SET root_hash = 'forged'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM checkpoints').run()).toThrow(/append-only/);
    db.close();
    expect(await store.checkpoints?.latest()).toEqual(checkpoint);
  });

  it('lets a subscriber in another connection see new events by polling', async () => {
    const writer = await open();
    const reader = await open(20);
    const seen: StoredEvent[] = [];
    const subscription = reader.subscribe({ after: 0 }, (batch) => void seen.push(...batch));

    const { events } = await writer.append('patient-1', [event(1), event(2)], { expectedVersion: 'any' });
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.stop();

    expect(seen).toEqual(events);
  });

  it('keeps one global order and dense streams when two connections write at once', async () => {
    const [a, b] = [await open(), await open()];
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append(`patient-${i % 3}`, [event(i)], { expectedVersion: 'any' })));

    const all: StoredEvent[] = [];
    for await (const batch of a.readAll()) all.push(...batch);
    expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new ChainVerifier().feed(all).finish()).toMatchObject({ ok: true, streams: 3, events: 40 });
  });
});
