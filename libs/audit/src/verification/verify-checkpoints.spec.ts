import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointLog, createSqliteEventStore, EventStore, MerkleFrontier, NewEvent } from '@vigil/event-store';
import { rechain } from '@vigil/event-store/testing';
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

  /** One walk in this thread (readers: 1), folding the tree here or on a worker; or reader threads that check chains and fold the tree. */
  const verify = async (parallel: boolean, readers = 1, publicKey = key.publicKey) => {
    store ??= await createSqliteEventStore({ file });
    return verifyStore(store, { checkpoints: { key: publicKey }, parallel, readers, batchSize: 700 });
  };
  const tamper = (sql: string) => {
    const db = new Database(file);
    db.exec(`DROP TRIGGER IF EXISTS events_are_never_updated; DROP TRIGGER IF EXISTS events_are_never_deleted;
             DROP TRIGGER IF EXISTS checkpoints_are_never_updated; DROP TRIGGER IF EXISTS checkpoints_are_never_deleted;`);
    db.exec(sql);
    db.close();
  };
  /** An event's data edited and its stream's chain recomputed after it, as someone who knows the (public) hash scheme can. */
  const editAndRechain = (streamId: string, version: number) => {
    const db = new Database(file);
    db.exec('DROP TRIGGER IF EXISTS events_are_never_updated;');
    db.prepare(`UPDATE events SET data = json_set(data, '$.value', 1) WHERE stream_id = ? AND stream_version = ?`).run(streamId, version);
    rechain(db, streamId);
    const position = db.prepare('SELECT global_position FROM events WHERE stream_id = ? AND stream_version = ?').pluck().get(streamId, version) as number;
    db.close();
    return position;
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
    for (const readers of [2, 3]) expect(await verify(false, readers)).toEqual(here);
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

  it('does not pass stored checkpoints it has no key to check: unverifiable, not ok, naming why', async () => {
    store = await createSqliteEventStore({ file });
    const report = await verifyStore(store, { checkpoints: { off: 'no key at /run/secrets/vigil.pem' } });
    expect(report.broken).toEqual([]);
    expect(report).toMatchObject({ ok: false, checkpoints: { status: 'unverifiable', ok: false, checked: 0, latest: { treeSize: 3000 } } });
    const latest = `the latest of tree size 3000, key ${key.publicKey.keyId}`;
    expect(report.checkpoints.message).toBe(`the store holds signed checkpoints (${latest}) that cannot be verified: no key at /run/secrets/vigil.pem`);
  });

  describe('with reader threads that check the chains and fold the tree over the same reads', () => {
    /** The readers' report, which must be the one walk's, and whether they left only the events past the head to this thread. */
    const fromReaders = async (publicKey = key.publicKey) => {
      const walked = await verify(false, 1, publicKey);
      const read = jest.spyOn(store as EventStore, 'readChainRecords' as never);
      const ranges = jest.spyOn(store as EventStore, 'checkChainRanges' as never);
      const report = await verify(false, 2, publicKey);
      expect(report).toEqual(walked);
      expect(ranges).toHaveBeenCalledWith(expect.any(Array), expect.objectContaining({ treeSizes: [500, 1000, 1500, 2000, 2500, 3000] }));
      const head = await (store as EventStore).headPosition();
      const calls = read.mock.calls as unknown as [{ after: number }][];
      return { report, walkedOnlyPastHead: calls.every(([options]) => options.after === head) };
    };

    it('verifies an untouched store, every checkpoint, without walking the log again in this thread', async () => {
      const { report, walkedOnlyPastHead } = await fromReaders();
      expect(report).toMatchObject({ ok: true, events: 3000, broken: [], checkpoints: { status: 'verified', checked: 6, mismatches: 0 } });
      expect(walkedOnlyPastHead).toBe(true);
    });

    it('catches an event edited with its chain recomputed, naming the first checkpoint after it', async () => {
      const position = editAndRechain('patient-2', 30);
      const { report, walkedOnlyPastHead } = await fromReaders();
      expect(report.broken).toEqual([]);
      expect(report.ok).toBe(false);
      const first = Math.ceil(position / 500) * 500;
      expect(report.checkpoints.firstMismatch).toMatchObject({ treeSize: first, reason: expect.stringMatching(/the log was changed/) });
      expect(report.checkpoints.mismatches).toBe((3000 - first) / 500 + 1);
      expect(walkedOnlyPastHead).toBe(true);
    });

    it("catches a stream's last events deleted from the middle of the log (folded in one walk: positions are missing)", async () => {
      // patient-0's last append is the 57th (positions 2 801 … 2 850): its chain still holds without its last ten events.
      tamper('DELETE FROM events WHERE global_position > 2840 AND global_position <= 2850');
      const { report, walkedOnlyPastHead } = await fromReaders();
      expect(report.broken).toEqual([]);
      expect(report.checkpoints).toMatchObject({ status: 'broken', mismatches: 1, firstMismatch: { treeSize: 3000 } });
      expect(report.checkpoints.firstMismatch?.reason).toMatch(/covers 3000 events, the log holds 2990/);
      expect(walkedOnlyPastHead).toBe(false);
    });

    it("catches the log's tail truncated below the last checkpoints", async () => {
      tamper('DELETE FROM events WHERE global_position > 2400');
      const { report, walkedOnlyPastHead } = await fromReaders();
      expect(report.broken).toEqual([]);
      expect(report.checkpoints).toMatchObject({ status: 'broken', mismatches: 2, firstMismatch: { treeSize: 2500 } });
      expect(report.checkpoints.firstMismatch?.reason).toMatch(/covers 2500 events, the log holds 2400/);
      expect(walkedOnlyPastHead).toBe(true);
    });

    it('catches a checkpoint row altered', async () => {
      tamper(`UPDATE checkpoints SET root_hash = '${'cd'.repeat(32)}' WHERE tree_size = 1500`);
      const { report } = await fromReaders();
      expect(report.checkpoints).toMatchObject({ status: 'broken', firstMismatch: { treeSize: 1500, rootHash: 'cd'.repeat(32) } });
    });

    it('catches a swapped signing key', async () => {
      const other = loadSigningKey(join(dir, `other-${Math.random()}.pem`), { generate: true });
      const { report } = await fromReaders(other.publicKey);
      expect(report.checkpoints).toMatchObject({ status: 'broken', mismatches: 6, firstMismatch: { treeSize: 500 } });
    });

    it('checks the events appended while the reader threads ran, and folds them onto the tree they left', async () => {
      // The tail truncated, then refilled while the readers run: the checkpoints past the head at the start are judged on the new events.
      tamper('DELETE FROM events WHERE global_position > 2400');
      store = await createSqliteEventStore({ file });
      const running = store as EventStore & { checkChainRanges: NonNullable<EventStore['checkChainRanges']> };
      const checkRanges = running.checkChainRanges.bind(running);
      jest.spyOn(running, 'checkChainRanges').mockImplementationOnce(async (ranges, options) => {
        const reports = await checkRanges(ranges, options);
        for (let i = 0; i < 12; i++)
          await running.append(
            'patient-99',
            Array.from({ length: 50 }, (_, j) => lab(j)),
            { expectedVersion: 'any' },
          );
        tamper(`UPDATE events SET data = '{"test":"PLAT","unit":"10*9/L","value":0}' WHERE global_position = 2950`);
        return reports;
      });
      const progress: number[] = [];
      const report = await verifyStore(running, {
        checkpoints: { key: key.publicKey },
        readers: 2,
        batchSize: 700,
        onProgress: (p) => progress.push(p.events),
      });
      expect(report).toMatchObject({ events: 3000, broken: [{ streamId: 'patient-99', version: 550, reason: expect.stringMatching(/changed/) }] });
      expect(report.checkpoints).toMatchObject({ status: 'broken', mismatches: 2, firstMismatch: { treeSize: 2500 } });
      expect(report.checkpoints.firstMismatch?.reason).toMatch(/the first 2500 events of the log give root/);
      expect(progress[progress.length - 1]).toBe(3000);
    });
  });
});
