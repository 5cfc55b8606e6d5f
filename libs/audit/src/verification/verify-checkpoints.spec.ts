import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointLog, createSqliteEventStore, EventStore, MerkleFrontier, NewEvent } from '@vigil/event-store';
import { signCheckpoint } from '../checkpoints/checkpoint-signature';
import { AuditSigningKey, loadSigningKey } from '../checkpoints/signing-key';
import { verifyStore } from './verify-store';

const metadata = { userId: 'u-1', role: 'investigator', occurredAt: '2026-01-13T07:30:00Z', correlationId: 'c-1' };
const lab = (value: number): NewEvent => ({ type: 'LabResultRecorded', schemaVersion: 2, data: { test: 'PLAT', value, unit: '10*9/L' }, metadata });

describe('verifyStore with signed checkpoints', () => {
  let dir: string;
  let file: string;
  let key: AuditSigningKey;
  let store: EventStore | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-verify-checkpoints-'));
    key = loadSigningKey(join(dir, 'key.pem'), { generate: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    file = join(dir, `events-${Date.now()}-${Math.random()}.sqlite`);
    const writer = await createSqliteEventStore({ file });
    for (let i = 0; i < 60; i++)
      await writer.append(
        `patient-${i % 7}`,
        Array.from({ length: 50 }, (_, j) => lab(i * 50 + j)),
        { expectedVersion: 'any' },
      );
    // A checkpoint every 500 events, and one at the head (3 000).
    const log = writer.checkpoints as CheckpointLog;
    const frontier = new MerkleFrontier();
    for (const hash of await log.eventHashes(0, 3000)) {
      frontier.appendEventHash(hash);
      if (frontier.treeSize % 500 === 0) await log.record(signCheckpoint(key, frontier.treeSize, frontier.rootHex()), frontier.state(), new Map());
    }
    await writer.close();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const verify = async (parallel: boolean) => {
    store ??= await createSqliteEventStore({ file });
    return verifyStore(store, { checkpoints: { key: key.publicKey }, parallel, batchSize: 700 });
  };
  const tamper = (sql: string) => {
    const db = new Database(file);
    db.exec('DROP TRIGGER IF EXISTS events_are_never_updated; DROP TRIGGER IF EXISTS events_are_never_deleted;');
    db.exec(sql);
    db.close();
  };

  it.each([
    ['nothing', ''],
    ['a stored hash replaced by another digest', `UPDATE events SET hash = '${'ab'.repeat(32)}' WHERE global_position = 1234`],
    ['a stored hash replaced by something that is not a digest', `UPDATE events SET hash = 'forged' WHERE global_position = 1700`],
    ['a stored hash written in capitals', `UPDATE events SET hash = upper(hash) WHERE global_position = 777`],
    ['an event deleted from the middle', 'DELETE FROM events WHERE global_position = 2222'],
    ['the tail cut', 'DELETE FROM events WHERE global_position > 2400'],
  ])('gives the same report folding the tree on a worker thread as in this one: %s', async (_what, sql) => {
    if (sql) tamper(sql);
    const here = await verify(false);
    const there = await verify(true);
    expect(there).toEqual(here);
    expect(here.checkpoints.checked).toBe(6);
    if (!sql) expect(here.checkpoints).toMatchObject({ status: 'verified', ok: true });
    else expect(here.checkpoints.status).toBe('broken');
  });

  it('names the first checkpoint at or after the change', async () => {
    tamper(`UPDATE events SET hash = '${'ab'.repeat(32)}' WHERE global_position = 1234`);
    const report = await verify(true);
    expect(report.checkpoints.firstMismatch).toMatchObject({ treeSize: 1500, reason: expect.stringMatching(/the log was changed/) });
    expect(report.checkpoints.mismatches).toBe(4);
  });
});
