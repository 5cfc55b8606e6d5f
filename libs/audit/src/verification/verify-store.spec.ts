import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, EventStore, hashEvent, NewEvent } from '@vigil/event-store';
import type { EventRow } from '@vigil/event-store/testing';
import { verifyStore, VerifyStoreOptions } from './verify-store';

const metadata = { userId: 'u-1', userName: 'Dr Ann', role: 'investigator', siteId: 'SAT', occurredAt: '2026-01-13T07:30:00Z', correlationId: 'c-1' };
const lab = (value: number): NewEvent => ({ type: 'LabResultRecorded', schemaVersion: 2, data: { test: 'PLAT', value, unit: '10*9/L' }, metadata });
const SAT = 'patient-TR-SAT-001';
const PSL = 'patient-TR-PSL-002';

/** Opens the store's SQLite file behind its back, as someone with access to the disk could. */
function tamper(file: string, change: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER events_are_never_updated; DROP TRIGGER events_are_never_deleted;');
    db.transaction(() => change(db))();
  } finally {
    db.close();
  }
}

type Row = EventRow & { hash: string };

type Tampering = (db: Database.Database) => void;

const changeValue: Tampering = (db) => db.prepare(`UPDATE events SET data = json_set(data, '$.value', 97) WHERE stream_id = ? AND stream_version = 3`).run(SAT);

const removeVersion2: Tampering = (db) => db.prepare('DELETE FROM events WHERE stream_id = ? AND stream_version = 2').run(SAT);

const swapVersions2And3: Tampering = (db) => {
  const position = (version: number) =>
    db.prepare('SELECT global_position FROM events WHERE stream_id = ? AND stream_version = ?').pluck().get(SAT, version) as number;
  const [second, third] = [position(2), position(3)];
  const move = db.prepare('UPDATE events SET global_position = ? WHERE global_position = ?');
  move.run(-1, second);
  move.run(second, third);
  move.run(third, -1);
};

const insertForgedVersion2: Tampering = (db) => {
  // Make room at version 2, then insert a forged lab result chained to version 1.
  const later = db
    .prepare('SELECT stream_version FROM events WHERE stream_id = ? AND stream_version >= 2 ORDER BY stream_version DESC')
    .pluck()
    .all(SAT) as number[];
  for (const version of later) db.prepare('UPDATE events SET stream_version = ? WHERE stream_id = ? AND stream_version = ?').run(version + 1, SAT, version);
  const first = db.prepare('SELECT * FROM events WHERE stream_id = ? AND stream_version = 1').get(SAT) as Row;
  const forged = {
    eventId: '11111111-2222-4333-8444-555555555555',
    streamId: SAT,
    streamVersion: 2,
    type: 'LabResultRecorded',
    schemaVersion: 2,
    data: { test: 'PLAT', value: 400, unit: '10*9/L' },
    metadata: { ...JSON.parse(first.metadata), recordedAt: '2026-01-13T08:00:00.000Z', commandId: 'forged' },
  };
  db.prepare(
    `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash, recorded_at, command_id)
     VALUES (?, ?, 2, ?, 2, ?, ?, ?, ?, ?, 'forged')`,
  ).run(
    forged.eventId,
    SAT,
    forged.type,
    JSON.stringify(forged.data),
    JSON.stringify(forged.metadata),
    hashEvent(forged, first.hash),
    first.hash,
    forged.metadata.recordedAt,
  );
};

/** Same value, another text: spaces after the commas of a stored data text. */
const respaceData: Tampering = (db) => db.prepare(`UPDATE events SET data = replace(data, ',', ', ') WHERE stream_id = ? AND stream_version = 2`).run(SAT);

/** Same value, another text: a stored metadata text with its keys in reverse order. */
const reorderMetadataKeys: Tampering = (db) => {
  const text = db.prepare('SELECT metadata FROM events WHERE stream_id = ? AND stream_version = 2').pluck().get(SAT) as string;
  const reversed = Object.fromEntries(Object.entries(JSON.parse(text) as object).reverse());
  db.prepare('UPDATE events SET metadata = ? WHERE stream_id = ? AND stream_version = 2').run(JSON.stringify(reversed), SAT);
};

/** The same store through the port without its optional chain records: verification parses every event. */
const parsedOnly = (store: EventStore): EventStore => ({
  append: (streamId, events, options) => store.append(streamId, events, options),
  readStream: (streamId, options) => store.readStream(streamId, options),
  streamVersion: (streamId) => store.streamVersion(streamId),
  readAll: (options) => store.readAll(options),
  headPosition: () => store.headPosition(),
  findCommand: (commandId) => store.findCommand(commandId),
  subscribe: (options, handler) => store.subscribe(options, handler),
  close: () => store.close(),
});

describe('verifyStore on a SQLite store file', () => {
  let dir: string;
  let file: string;
  let store: EventStore | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-verify-'));
    file = join(dir, 'events.sqlite');
    const writer = await createSqliteEventStore({ file });
    await writer.append(SAT, [{ type: 'PatientEnrolled', schemaVersion: 1, data: { patientId: 'TR-SAT-001', siteId: 'SAT' }, metadata }], {
      expectedVersion: 0,
    });
    await writer.append(PSL, [{ type: 'PatientEnrolled', schemaVersion: 1, data: { patientId: 'TR-PSL-002', siteId: 'PSL' }, metadata }], {
      expectedVersion: 0,
    });
    for (const value of [250, 79, 120]) await writer.append(SAT, [lab(value)], { expectedVersion: 'any' });
    await writer.append(PSL, [lab(300)], { expectedVersion: 'any' });
    await writer.close();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = async (onProgress?: VerifyStoreOptions['onProgress']) => {
    store = await createSqliteEventStore({ file });
    return verifyStore(store, { onProgress, batchSize: 2 });
  };
  const brokenStreams = (report: Awaited<ReturnType<typeof verifyStore>>) => [...new Set(report.broken.map((b) => b.streamId))];

  it('verifies an untouched store clean, counting its streams and events', async () => {
    const progress: number[] = [];
    const report = await verify((p) => progress.push(p.events));
    expect(report).toMatchObject({ ok: true, streams: 2, events: 6, broken: [] });
    expect(report.checkpoints).toMatchObject({ status: 'off', ok: true, message: 'checkpoints were not checked' });
    expect(progress).toEqual([2, 4, 6]);
  });

  it('detects an event whose recorded value was changed, naming its stream and version', async () => {
    tamper(file, changeValue);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([{ streamId: SAT, version: 3, reason: expect.stringMatching(/changed/) }]);
  });

  it('detects an event removed from the middle of a stream, naming the stream and where the chain breaks', async () => {
    tamper(file, removeVersion2);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([{ streamId: SAT, version: 3, reason: expect.stringMatching(/version 2 missing/) }]);
    expect(report.events).toBe(5);
  });

  it('detects two events of a stream swapped in the log', async () => {
    tamper(file, swapVersions2And3);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(brokenStreams(report)).toEqual([SAT]);
    expect(report.broken.map((b) => b.version)).toEqual([3, 2]);
    expect(report.broken[1].reason).toMatch(/inserted or reordered/);
  });

  it('detects an event inserted into a stream, even one whose own hash was forged to fit', async () => {
    tamper(file, insertForgedVersion2);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(brokenStreams(report)).toEqual([SAT]);
    expect(report.broken[0]).toEqual({ streamId: SAT, version: 3, reason: expect.stringMatching(/version 2 missing/) });
    expect(report.broken.at(-1)).toEqual({ streamId: SAT, version: 2, reason: expect.stringMatching(/inserted or reordered/) });
  });

  it('hashes the stored texts as they are, parsing no JSON, when the store hands them over', async () => {
    store = await createSqliteEventStore({ file });
    const readAll = jest.spyOn(store, 'readAll');
    const readChainRecords = jest.spyOn(store, 'readChainRecords' as never);

    expect(await verifyStore(store)).toMatchObject({ ok: true, events: 6 });
    expect(readChainRecords).toHaveBeenCalled();
    expect(readAll).not.toHaveBeenCalled();
  });

  it.each([
    ['spaces added to a data text', respaceData],
    ['the keys of a metadata text reordered', reorderMetadataKeys],
  ])('detects a stored text changed in form only (%s) as a changed event', async (_name, change) => {
    tamper(file, change);
    const report = await verify();
    expect(report.broken).toEqual([{ streamId: SAT, version: 2, reason: expect.stringMatching(/changed/) }]);
    expect(await verifyStore(parsedOnly(store!), { batchSize: 2 })).toEqual(report);
  });

  it('reports a stored text that is no longer JSON at all as a changed event, and checks the rest', async () => {
    tamper(file, (db) => db.prepare(`UPDATE events SET data = '{"value": 97' WHERE stream_id = ? AND stream_version = 2`).run(PSL));
    const report = await verify();
    expect(report).toMatchObject({ ok: false, streams: 2, events: 6 });
    expect(report.broken).toEqual([{ streamId: PSL, version: 2, reason: expect.stringMatching(/changed/) }]);
  });

  it('leaves the whole walk of an untouched log to the reader threads: this thread reads only what lies past the head they checked', async () => {
    store = await createSqliteEventStore({ file });
    const head = await store.headPosition();
    const readChainRecords = jest.spyOn(store, 'readChainRecords' as never);
    expect(await verifyStore(store, { readers: 2, batchSize: 2 })).toMatchObject({ ok: true, events: head });
    expect(readChainRecords).toHaveBeenCalledWith(expect.objectContaining({ after: head }));
  });

  it.each([
    ['nothing', () => undefined],
    ['a value changed', changeValue],
    ['an event removed', removeVersion2],
    ['two events swapped', swapVersions2And3],
    ['a forged event inserted', insertForgedVersion2],
    [
      'a text no longer JSON',
      (db: Database.Database) => db.prepare(`UPDATE events SET data = '{"value": 97' WHERE stream_id = ? AND stream_version = 2`).run(PSL),
    ],
  ])('gives the same report from reader threads, the log split in ranges anywhere, as from one walk: %s', async (_name, change: Tampering) => {
    tamper(file, change);
    store = await createSqliteEventStore({ file });
    const ranges = jest.spyOn(store, 'checkChainRanges' as never);
    const walked = await verifyStore(store, { readers: 1, batchSize: 2 });
    expect(ranges).not.toHaveBeenCalled();
    for (const readers of [2, 3, 4, 6]) expect(await verifyStore(store, { readers, batchSize: 2 })).toEqual(walked);
    expect(ranges).toHaveBeenCalledTimes(4);
  });

  it.each([
    ['nothing', () => undefined],
    ['a value changed', changeValue],
    ['an event removed', removeVersion2],
    ['two events swapped', swapVersions2And3],
    ['a forged event inserted', insertForgedVersion2],
    ['a text changed in form only', respaceData],
  ])('gives the same report from the stored texts as from parsed events: %s', async (_name, change: Tampering) => {
    tamper(file, change);
    const fromTexts = await verify();
    const fromParsed = await verifyStore(parsedOnly(store!), { batchSize: 3 });
    expect(fromParsed).toEqual(fromTexts);
  });
});
