import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditCheckpoints, checkpointsInFile, GENERATED_KEY_FILE, loadSigningKey, signCheckpoint, StoreVerification, verifyStore } from '@vigil/audit';
import { EVENT_STORE, EventStore, MerkleFrontier, SignedCheckpoint } from '@vigil/event-store';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';
import { adminToken, freePort, VigilProcess } from './harness/vigil-process';
import { eventually } from './harness/webhook-receiver';
import { createPostgresEventStore } from '../libs/event-store/src/postgres/postgres-event-store';
import { describeWithService, findPostgres } from './support/services';
import { positionOf, rechain, tamperWith } from './support/tamper';

const SAT = 'patient-TR-SAT-001';
const PSL = 'patient-TR-PSL-002';

/**
 * Each scenario is what someone with write access to the database can do unseen by the hash chains:
 * every test first shows that the chains alone still hold (so the test would fail if checkpoint
 * verification were switched off), then that the signed checkpoints name the first one that no longer
 * matches, in GET /audit/verify, after a restart: a tampered store still starts.
 */
describe('Tampering as a database administrator would, caught by the signed checkpoints', () => {
  let vigil: VigilHarness;
  let outside: string;
  let checkpointFile: string;
  let checkpoints: SignedCheckpoint[];

  beforeEach(async () => {
    outside = mkdtempSync(join(tmpdir(), 'vigil-checkpoint-copies-'));
    checkpointFile = join(outside, 'checkpoints.jsonl');
    // Checkpoints only when the test asks (checkpointNow), so their tree sizes are known.
    vigil = await startVigil({ env: { VIGIL_CHECKPOINT_EVERY: '1000000', VIGIL_CHECKPOINT_INTERVAL_MS: '3600000', VIGIL_CHECKPOINT_LOG: checkpointFile } });
    const lab = (patientId: string, value: number) =>
      vigil
        .http()
        .post(`/patients/${patientId}/lab-results`)
        .send({ test: 'PLAT', value, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201);
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-SAT-001' }))
      .expect(201);
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-PSL-002', siteId: 'PSL' }))
      .expect(201);
    await lab('TR-SAT-001', 250);
    await lab('TR-PSL-002', 260);
    await lab('TR-PSL-002', 270);
    await checkpointNow();
    await lab('TR-SAT-001', 280);
    await lab('TR-PSL-002', 290);
    await lab('TR-SAT-001', 300);
    await checkpointNow();
    await lab('TR-SAT-001', 310);
    await checkpointNow();
    checkpoints = (await vigil.http().get('/audit/checkpoints').expect(200)).body.items;
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    // Every checkpoint is in the file outside the database before anyone tampers.
    await eventually(
      async () => checkpointsInFile(checkpointFile).length,
      (n) => n === checkpoints.length,
    );
    expect((await verify()).ok).toBe(true);
  });
  afterEach(async () => {
    await vigil.close();
    rmSync(outside, { recursive: true, force: true });
  });

  const store = () => vigil.app.get<symbol, EventStore>(EVENT_STORE);
  const checkpointNow = () => vigil.app.get(AuditCheckpoints).checkpointNow();
  const verify = async (): Promise<StoreVerification> => (await vigil.as('monitor').get('/audit/verify').expect(200)).body;
  /** The hash chains alone, as before checkpoints: what checkpoint verification switched off would say. */
  const chainsOnly = () => verifyStore(store());
  /** The smallest checkpoint covering a position: the first one a change there breaks. */
  const firstCovering = (position: number) => checkpoints.find((c) => c.treeSize >= position) as SignedCheckpoint;

  const expectCaughtAt = async (checkpoint: SignedCheckpoint, reason: RegExp) => {
    expect(await chainsOnly()).toMatchObject({ ok: true, broken: [] });
    const report = await verify();
    expect(report).toMatchObject({ ok: false, broken: [], checkpoints: { status: 'broken', ok: false } });
    expect(report.checkpoints.firstMismatch).toMatchObject({
      treeSize: checkpoint.treeSize,
      signedAt: checkpoint.signedAt,
      reason: expect.stringMatching(reason),
    });
    expect(report.checkpoints.message).toContain(`checkpoint of tree size ${checkpoint.treeSize}`);
    // The verification Vigil ran when it started found it too.
    expect((await vigil.app.get(AuditCheckpoints).startupVerification)?.ok).toBe(false);
    return report;
  };

  it('catches an event edited with its stream chain recomputed, naming the first checkpoint after it', async () => {
    let edited = 0;
    await vigil.restart(() =>
      tamperWith(vigil.dataDir, (db) => {
        edited = positionOf(db, PSL, 2);
        db.prepare(`UPDATE events SET data = json_set(data, '$.value', 60) WHERE global_position = ?`).run(edited);
        rechain(db, PSL);
      }),
    );
    await expectCaughtAt(firstCovering(edited), /give root .* not the signed .*: the log was changed/);
  });

  it("catches a stream's last events deleted from the middle of the log", async () => {
    let removed = 0;
    await vigil.restart(() =>
      tamperWith(vigil.dataDir, (db) => {
        const last = db.prepare('SELECT max(stream_version) FROM events WHERE stream_id = ?').pluck().get(PSL) as number;
        removed = positionOf(db, PSL, last);
        expect(removed).toBeLessThan(checkpoints.at(-1)!.treeSize); // other streams' events come after it
        db.prepare('DELETE FROM events WHERE stream_id = ? AND stream_version = ?').run(PSL, last);
      }),
    );
    await expectCaughtAt(firstCovering(removed), /the log was changed|events were removed/);
  });

  it("catches the whole log's tail truncated", async () => {
    const keep = checkpoints[0].treeSize + 1;
    await vigil.restart(() => tamperWith(vigil.dataDir, (db) => db.prepare('DELETE FROM events WHERE global_position > ?').run(keep)));
    const report = await expectCaughtAt(checkpoints[1], /covers \d+ events, the log holds \d+: events were removed/);
    expect(report.events).toBe(keep);
  });

  it('catches the tail truncated with its checkpoints deleted too, through the copies published outside the database', async () => {
    const keep = checkpoints[0].treeSize + 1;
    await vigil.restart(() =>
      tamperWith(vigil.dataDir, (db) => {
        db.prepare('DELETE FROM events WHERE global_position > ?').run(keep);
        db.prepare('DELETE FROM checkpoints WHERE tree_size > ?').run(keep);
        db.exec('DELETE FROM merkle_frontier; DELETE FROM merkle_tiles;');
      }),
    );
    // The database agrees with itself now: only the copies outside it tell.
    const { key } = vigil.app.get(AuditCheckpoints);
    expect(await verifyStore(store(), { checkpoints: { key: key!.publicKey, outside: [] } })).toMatchObject({ ok: true });
    const report = await expectCaughtAt(checkpoints[1], /missing from the database: checkpoints were removed/);
    expect(report.checkpoints.firstMismatch?.source).toBe(`checkpoint file ${checkpointFile}`);
  });

  it('catches a checkpoint row altered', async () => {
    await vigil.restart(() =>
      tamperWith(vigil.dataDir, (db) => db.prepare('UPDATE checkpoints SET root_hash = ? WHERE tree_size = ?').run('0'.repeat(64), checkpoints[1].treeSize)),
    );
    await expectCaughtAt(checkpoints[1], /signature does not match .*: the checkpoint was altered/);
  });

  it('catches a swapped signing key, even with every checkpoint re-signed by the new key over an edited log', async () => {
    const keyFile = join(vigil.dataDir, GENERATED_KEY_FILE);
    const oldKeyId = vigil.app.get(AuditCheckpoints).key!.publicKey.keyId;
    const swapKey = () => writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));

    // The key alone swapped: every checkpoint is signed by another key than the one Vigil now holds.
    await vigil.restart(swapKey);
    const swapped = await expectCaughtAt(checkpoints[0], new RegExp(`signed by key ${oldKeyId}, not by the audit signing key`));
    expect(swapped.checkpoints.keyId).not.toBe(oldKeyId);

    // The full forgery: an edited event, its chain recomputed, every checkpoint re-signed with a new key over the edited log.
    let edited = 0;
    await vigil.restart(() => {
      swapKey();
      const forger = loadSigningKey(keyFile);
      tamperWith(vigil.dataDir, (db) => {
        edited = positionOf(db, SAT, 2);
        db.prepare(`UPDATE events SET data = json_set(data, '$.value', 40) WHERE global_position = ?`).run(edited);
        rechain(db, SAT);
        const hashes = db.prepare('SELECT hash FROM events ORDER BY global_position').pluck().all() as string[];
        db.exec('DELETE FROM checkpoints; DELETE FROM merkle_frontier; DELETE FROM merkle_tiles;');
        for (const original of checkpoints) {
          const frontier = new MerkleFrontier();
          hashes.slice(0, original.treeSize).forEach((hash) => frontier.appendEventHash(hash));
          const forged = signCheckpoint(forger, original.treeSize, frontier.rootHex(), original.signedAt);
          db.prepare('INSERT INTO checkpoints (tree_size, root_hash, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?)').run(
            forged.treeSize,
            forged.rootHash,
            forged.signedAt,
            forged.keyId,
            forged.signature,
          );
        }
      });
    });
    // Inside the database everything agrees; the copies published under the old key do not.
    const { key } = vigil.app.get(AuditCheckpoints);
    expect(await verifyStore(store(), { checkpoints: { key: key!.publicKey, outside: [] } })).toMatchObject({ ok: true });
    const report = await expectCaughtAt(firstCovering(edited), /the database holds another one: checkpoints were rewritten/);
    expect(report.checkpoints.firstMismatch?.keyId).toBe(oldKeyId);
  });
});

describe('A tampered store at start', () => {
  it('starts all the same, and says so in its log and in GET /audit/verify', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-tampered-start-'));
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_JWT_SECRET: 'tampered start token secret, long enough for HS256', VIGIL_CHECKPOINT_EVERY: '1' };
    const token = await adminToken(env.VIGIL_JWT_SECRET);
    const vigil = new VigilProcess('vigil', env, await freePort());
    try {
      await vigil.start();
      const post = (path: string, body: object) => vigil.http().post(path).set('Authorization', `Bearer ${token}`).send(body).expect(201);
      await post('/patients', enrolment({ patientId: 'TR-SAT-001' }));
      await post('/patients/TR-SAT-001/lab-results', { test: 'PLAT', value: 250, unit: '10*9/L', collectedAt: daysAgo(1) });
      const checkpoints = async () => (await vigil.http().get('/audit/checkpoints').set('Authorization', `Bearer ${token}`).expect(200)).body.items;
      await eventually(checkpoints, (items: SignedCheckpoint[]) => items.at(-1)?.treeSize === 2);
      await vigil.stop();

      tamperWith(dataDir, (db) => {
        db.prepare(`UPDATE events SET data = json_set(data, '$.value', 60) WHERE stream_id = ? AND stream_version = 2`).run(SAT);
        rechain(db, SAT);
      });
      const again = new VigilProcess('vigil', env, await freePort());
      try {
        await again.start();
        await eventually(
          async () => again.log,
          (log) => log.includes('AUDIT TRAIL TAMPERED'),
        );
        expect(again.log).toMatch(/AUDIT TRAIL TAMPERED: checkpoint of tree size 2 .* no longer matches/);
        const report = (await again.http().get('/audit/verify').set('Authorization', `Bearer ${token}`).expect(200)).body;
        expect(report).toMatchObject({ ok: false, broken: [], checkpoints: { status: 'broken', firstMismatch: { treeSize: 2 } } });
      } finally {
        await again.stop();
      }
    } finally {
      await vigil.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describeWithService('Checkpoints on PostgreSQL', findPostgres, (postgres) => {
  let schema: string;
  let keyDir: string;
  let vigil: VigilHarness | undefined;
  beforeEach(() => {
    schema = `tamper_${process.pid}_${Date.now().toString(36)}`;
    keyDir = mkdtempSync(join(tmpdir(), 'vigil-pg-key-'));
  });
  afterEach(async () => {
    await vigil?.close();
    vigil = undefined;
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    rmSync(keyDir, { recursive: true, force: true });
  });
  const start = async (env: Record<string, string>) => {
    const store = await createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs: 50 });
    vigil = await startVigil({ store, env: { VIGIL_EVENT_STORE: 'postgres', VIGIL_CHECKPOINT_INTERVAL_MS: '3600000', ...env } });
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ test: 'PLAT', value: 250, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(201);
    return vigil;
  };

  it('signs nothing without a key file, and GET /audit/verify and /audit/public-key say checkpoints are off', async () => {
    const running = await start({});
    expect(await running.app.get(AuditCheckpoints).checkpointNow()).toBeNull();
    const report = (await running.as('data_manager').get('/audit/verify').expect(200)).body;
    expect(report).toMatchObject({
      ok: true,
      checkpoints: { status: 'off', message: expect.stringMatching(/checkpoints are off: .*VIGIL_AUDIT_SIGNING_KEY_FILE/) },
    });
    expect((await running.anonymous().get('/audit/public-key').expect(404)).body.message).toMatch(/checkpoints are off/);
  });

  it('signs with the mounted key file and catches the tail of the log truncated in the schema', async () => {
    const keyFile = join(keyDir, 'audit-key.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const running = await start({ VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile });
    const checkpoint = await running.app.get(AuditCheckpoints).checkpointNow();
    expect(checkpoint?.treeSize).toBe(await running.app.get<symbol, EventStore>(EVENT_STORE).headPosition());
    expect((await running.anonymous().get('/audit/public-key').expect(200)).headers['x-vigil-key-id']).toBe(checkpoint?.keyId);

    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`DROP TRIGGER events_are_never_changed ON ${schema}.events; DELETE FROM ${schema}.events WHERE global_position > 1`);
    await client.end();

    expect(await verifyStore(running.app.get<symbol, EventStore>(EVENT_STORE))).toMatchObject({ ok: true });
    const report = (await running.as('data_manager').get('/audit/verify').expect(200)).body;
    expect(report).toMatchObject({
      ok: false,
      checkpoints: { status: 'broken', firstMismatch: { treeSize: checkpoint?.treeSize, reason: expect.stringMatching(/events were removed/) } },
    });
  });
});
