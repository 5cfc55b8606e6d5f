import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointLog,
  createSqliteEventStore,
  EventStore,
  MerkleFrontier,
  MerkleTreeReader,
  NewEvent,
  SignedCheckpoint,
  verifyInclusion,
} from '@vigil/event-store';
import { signatureProblem } from './checkpoint-signature';
import { Checkpointer } from './checkpointer';
import { AuditSigningKey, loadSigningKey, signingKeySourceFromEnv } from './signing-key';

const metadata = { userId: 'u-1', role: 'investigator', occurredAt: '2026-01-13T07:30:00Z', correlationId: 'c-1' };
const lab = (value: number): NewEvent => ({ type: 'LabResultRecorded', schemaVersion: 2, data: { test: 'PLAT', value, unit: '10*9/L' }, metadata });

describe('the checkpointer', () => {
  let dir: string;
  let store: EventStore;
  let log: CheckpointLog;
  let key: AuditSigningKey;
  let clock: number;
  const running: Checkpointer[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-checkpointer-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    log = store.checkpoints as CheckpointLog;
    key = loadSigningKey(join(dir, 'key.pem'), { generate: true });
    clock = Date.parse('2026-03-02T09:00:00Z');
  });
  afterEach(async () => {
    for (const checkpointer of running.splice(0)) await checkpointer.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const checkpointer = (options: ConstructorParameters<typeof Checkpointer>[3] = {}) => {
    const made = new Checkpointer(store, log, key, { every: 5, intervalMs: 60_000, pollMs: 60_000, now: () => clock, ...options });
    running.push(made);
    return made;
  };
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) await store.append(`patient-${i % 3}`, [lab(i)], { expectedVersion: 'any' });
  };
  const rootOfLog = async (size: number) => {
    const frontier = new MerkleFrontier();
    (await log.eventHashes(0, size)).forEach((hash) => frontier.appendEventHash(hash));
    return frontier.rootHex();
  };
  /** One pass of the timer's work, without waiting for the timer. */
  const tick = (made: Checkpointer) =>
    (made as unknown as { serially(w: () => Promise<void>): Promise<void>; catchUp(force: boolean): Promise<void> }).serially(() =>
      (made as unknown as { catchUp(force: boolean): Promise<void> }).catchUp(false),
    );

  it('signs the root of the log once `every` events were appended, and not before', async () => {
    const made = checkpointer();
    await made.start();
    await append(4);
    await tick(made);
    expect(await log.latest()).toBeNull();
    await append(1);
    await tick(made);
    const [checkpoint] = await log.list();
    expect(checkpoint).toMatchObject({ treeSize: 5, rootHash: await rootOfLog(5), signedAt: '2026-03-02T09:00:00.000Z', keyId: key.publicKey.keyId });
    expect(signatureProblem(checkpoint, key.publicKey)).toBeNull();
  });

  it('signs after the interval when fewer events came, and signs nothing when nothing came', async () => {
    const made = checkpointer();
    await made.start();
    clock += 120_000;
    await tick(made);
    expect(await log.latest()).toBeNull();
    await append(2);
    await tick(made);
    expect((await log.latest())?.treeSize).toBe(2);
    clock += 120_000;
    await tick(made);
    expect((await log.list()).map((c) => c.treeSize)).toEqual([2]);
  });

  it('signs at the head on demand, tells each checkpoint it stores, and keeps the tiles that make proofs quick', async () => {
    const told: SignedCheckpoint[] = [];
    const made = checkpointer({ every: 1_000_000, onCheckpoint: (c) => told.push(c) });
    await made.start();
    await append(600);
    const checkpoint = await made.checkpointNow();
    expect(checkpoint).toMatchObject({ treeSize: 600, rootHash: await rootOfLog(600) });
    expect(told).toEqual([checkpoint]);
    expect([...(await log.tileRoots(0, 10)).keys()]).toEqual([0, 1]);
    const reader = new MerkleTreeReader(log, 600);
    const hashes = await log.eventHashes(0, 600);
    for (const leaf of [0, 255, 256, 511, 599]) expect(verifyInclusion(hashes[leaf], await reader.inclusionProof(leaf), checkpoint!.rootHash)).toBe(true);
    expect(await made.checkpointNow()).toEqual(checkpoint); // nothing new: no second checkpoint
    expect(await log.list()).toHaveLength(1);
  });

  it('resumes from the persisted frontier after a restart, and rebuilds it from the log when it is missing', async () => {
    const first = checkpointer();
    await first.start();
    await append(7);
    await first.checkpointNow();
    await first.stop();
    await append(3);
    const resumed = checkpointer();
    await resumed.start();
    expect((await resumed.checkpointNow())?.rootHash).toBe(await rootOfLog(10));

    const warnings: string[] = [];
    const db = (await import('better-sqlite3')).default(join(dir, 'events.sqlite'));
    db.exec('DELETE FROM merkle_frontier');
    db.close();
    await append(2);
    const rebuilt = checkpointer({ logger: { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined } });
    await rebuilt.start();
    expect(warnings).toEqual([expect.stringMatching(/frontier kept beside the log is missing: rebuilding it from the log \(12 events\)/)]);
    expect((await rebuilt.checkpointNow())?.rootHash).toBe(await rootOfLog(12));
  });

  it('stops signing, loudly, when events disappear from the log', async () => {
    const errors: string[] = [];
    const made = checkpointer({ logger: { log: () => undefined, warn: () => undefined, error: (m) => errors.push(m) } });
    await made.start();
    await append(3);
    await made.checkpointNow();
    await append(2);
    const db = (await import('better-sqlite3')).default(join(dir, 'events.sqlite'));
    db.exec('DROP TRIGGER events_are_never_deleted; DELETE FROM events WHERE global_position = 4');
    db.close();

    expect(await made.checkpointNow()).toBeNull();
    expect(made.halted).toMatch(/holds 1 events at positions 4–5, not 2: events were removed/);
    expect(errors).toEqual([expect.stringMatching(/^AUDIT TRAIL TAMPERED: .* No checkpoint is signed until this is resolved/)]);
    expect((await log.list()).map((c) => c.treeSize)).toEqual([3]);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Checkpointer(store, log, key, { every: 0 })).toThrow(/every must be a whole number of events ≥ 1/);
    expect(() => new Checkpointer(store, log, key, { intervalMs: 0 })).toThrow(/interval must be ≥ 1 ms/);
  });
});

describe('the audit signing key', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into the data directory of the embedded default, and read back the same', () => {
    const source = signingKeySourceFromEnv({}, dir);
    expect(source).toEqual({ file: join(dir, 'audit-signing-key.pem'), generate: true });
    const created: string[] = [];
    const first = loadSigningKey(join(dir, 'audit-signing-key.pem'), { generate: true, created: (file) => created.push(file) });
    const again = loadSigningKey(join(dir, 'audit-signing-key.pem'), { generate: true, created: (file) => created.push(file) });
    expect(created).toEqual([join(dir, 'audit-signing-key.pem')]);
    expect(again.publicKey.keyId).toBe(first.publicKey.keyId);
    expect(first.publicKey.keyId).toMatch(/^[0-9a-f]{64}$/);
    // Written under a draft name and linked into place: no draft is left beside it.
    expect(readdirSync(dir)).toEqual(['audit-signing-key.pem']);
  });

  it('comes from VIGIL_AUDIT_SIGNING_KEY_FILE when set, which must exist and hold an Ed25519 key', () => {
    expect(signingKeySourceFromEnv({ VIGIL_AUDIT_SIGNING_KEY_FILE: '/run/secrets/vigil.pem', VIGIL_EVENT_STORE: 'postgres' }, dir)).toEqual({
      file: '/run/secrets/vigil.pem',
      generate: false,
    });
    expect(() => loadSigningKey(join(dir, 'missing.pem'))).toThrow(/VIGIL_AUDIT_SIGNING_KEY_FILE=.*missing\.pem does not exist/);
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => loadSigningKey(rsa)).toThrow(/holds a rsa key; checkpoints are signed with Ed25519/);
  });

  it('is off on PostgreSQL or EventStoreDB without a key file: no node invents its own', () => {
    expect(signingKeySourceFromEnv({ VIGIL_EVENT_STORE: 'postgres' }, dir)).toEqual({
      off: expect.stringMatching(/no signing key on postgres: set VIGIL_AUDIT_SIGNING_KEY_FILE/),
    });
  });
});
