import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupManifest, verifyStore } from '@vigil/audit';
import { createSqliteEventStore } from '@vigil/event-store';
import { main } from '../apps/vigil/src/cli';
import type { CliContext } from '../apps/vigil/src/cli/cli-context';
import { daysAgo, enrolment } from './harness/vigil-harness';
import { adminToken, freePort, VigilProcess } from './harness/vigil-process';

jest.setTimeout(120_000);

const JWT_SECRET = 'backup under load token secret, long enough for HS256';

const cli = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
  const output = { out: '', err: '' };
  const context: CliContext = { env, out: (t) => (output.out += t), err: (t) => (output.err += t), progressStream: null, exitCode: 0 };
  return { code: await main(['node', 'vigil', ...args], context), ...output };
};

describe('A backup taken while Vigil is writing', () => {
  let root: string;
  let vigil: VigilProcess;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'vigil-backup-'))));
  afterEach(async () => {
    await vigil?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('restores, every event acknowledged before it started is there, and the verification passes', async () => {
    const dataDir = join(root, 'data');
    vigil = new VigilProcess('vigil', { VIGIL_DATA_DIR: dataDir, VIGIL_JWT_SECRET: JWT_SECRET, VIGIL_CHECKPOINT_EVERY: '25' }, await freePort());
    await vigil.start();
    const token = await adminToken(JWT_SECRET);
    const post = (path: string, body: object) => vigil.http().post(path).set('Authorization', `Bearer ${token}`).send(body);
    const patients = ['TR-SAT-001', 'TR-SAT-002', 'TR-SAT-003', 'TR-SAT-004'];
    for (const patientId of patients) expect((await post('/patients', enrolment({ patientId })).expect(201)).status).toBe(201);

    // Four writers, each recording lab results one after another, until told to stop.
    const acknowledged: string[] = [];
    let writing = true;
    const writers = patients.map(async (patientId, w) => {
      for (let i = 0; writing; i++) {
        const res = await post(`/patients/${patientId}/lab-results`, {
          test: 'PLAT',
          value: 150 + ((i * 7 + w) % 200),
          unit: '10*9/L',
          collectedAt: daysAgo(1),
        });
        expect(res.status).toBe(201);
        acknowledged.push(res.body.eventId as string);
      }
    });
    while (acknowledged.length < 150) await new Promise((resolve) => setTimeout(resolve, 20));

    const before = [...acknowledged];
    const backupDir = join(root, 'backup');
    const backup = await cli({ VIGIL_DATA_DIR: dataDir }, 'backup', backupDir);
    const during = acknowledged.length;
    while (acknowledged.length < during + 50) await new Promise((resolve) => setTimeout(resolve, 20));
    writing = false;
    await Promise.all(writers);
    expect(backup).toMatchObject({ code: 0, err: '' });

    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['events.sqlite', 'notifier.sqlite', 'projections.sqlite']);
    for (const file of manifest.files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.publicKey?.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(readdirSync(backupDir).sort()).toEqual(['events.sqlite', 'manifest.json', 'notifier.sqlite', 'projections.sqlite']);
    expect(JSON.stringify(manifest)).not.toContain('PRIVATE KEY');
    expect(manifest.log.headPosition).toBeGreaterThanOrEqual(before.length + patients.length);

    const restoredDir = join(root, 'restored');
    const restore = await cli({ VIGIL_DATA_DIR: restoredDir }, 'restore', backupDir);
    expect(restore.code).toBe(0);
    expect(restore.out).toMatch(
      /^Restored 3 store\(s\) into .* and verified: \d+ events in \d+ streams, hash chains intact; checkpoints: \d+ signed checkpoint\(s\) hold/,
    );
    expect(existsSync(join(restoredDir, 'audit-signing-key.pem'))).toBe(false);

    const restored = await createSqliteEventStore({ file: join(restoredDir, 'events.sqlite') });
    try {
      const stored = new Set<string>();
      for await (const batch of restored.readAll()) for (const event of batch) stored.add(event.eventId);
      expect(before.filter((eventId) => !stored.has(eventId))).toEqual([]);
      expect(await restored.headPosition()).toBe(manifest.log.headPosition);
      expect(await verifyStore(restored)).toMatchObject({ ok: true, broken: [] });
    } finally {
      await restored.close();
    }
  });

  it('refuses a directory that is not empty, and a restore over existing data or from a damaged backup', async () => {
    const dataDir = join(root, 'data');
    const store = await createSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    await store.append(
      'patient-TR-SAT-001',
      [{ type: 'Noted', schemaVersion: 1, data: {}, metadata: { userId: 'u', role: 'admin', occurredAt: daysAgo(1), correlationId: 'c' } }],
      {
        expectedVersion: 'any',
      },
    );
    await store.close();
    const backupDir = join(root, 'backup');
    expect((await cli({ VIGIL_DATA_DIR: dataDir }, 'backup', backupDir)).code).toBe(0);
    const again = await cli({ VIGIL_DATA_DIR: dataDir }, 'backup', backupDir);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/must be new or empty/);
    const over = await cli({ VIGIL_DATA_DIR: dataDir }, 'restore', backupDir);
    expect(over.err).toMatch(/events\.sqlite already exists: restore only into an empty data directory/);

    const damaged = readFileSync(join(backupDir, 'events.sqlite'));
    damaged[damaged.length - 10] ^= 0xff;
    writeFileSync(join(backupDir, 'events.sqlite'), damaged);
    const restore = await cli({ VIGIL_DATA_DIR: join(root, 'elsewhere') }, 'restore', backupDir);
    expect(restore.code).toBe(2);
    expect(restore.err).toMatch(/events\.sqlite does not match its SHA-256 in the manifest/);
  });
});
