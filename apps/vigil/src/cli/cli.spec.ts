import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtIdentity, PERMISSIONS, resolveJwtSecret } from '@vigil/api';
import { Checkpointer, GENERATED_KEY_FILE, loadSigningKey } from '@vigil/audit';
import { CheckpointLog, createEventStore, eventStoreConfigFromEnv, SignedCheckpoint } from '@vigil/event-store';
import { RULES } from '@vigil/domain';
import { main } from '../cli';
import { CliContext } from './cli-context';

describe('the vigil CLI', () => {
  let dataDir: string;
  let output: { out: string; err: string };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    output = { out: '', err: '' };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const context: CliContext = {
      env: { VIGIL_DATA_DIR: dataDir, ...env },
      out: (text) => (output.out += text),
      err: (text) => (output.err += text),
      progressStream: null,
      exitCode: 0,
    };
    return main(['node', 'vigil', ...args], context);
  };

  const seed = async () => {
    const store = await createEventStore(eventStoreConfigFromEnv({ VIGIL_DATA_DIR: dataDir }));
    const metadata = { userId: 'u-1', role: 'investigator', occurredAt: '2026-01-13T07:30:00Z', correlationId: 'c-1' };
    await store.append('patient-TR-SAT-001', [{ type: 'PatientEnrolled', schemaVersion: 1, data: { patientId: 'TR-SAT-001', siteId: 'SAT' }, metadata }], {
      expectedVersion: 0,
    });
    await store.append('patient-TR-SAT-001', [{ type: 'LabResultRecorded', schemaVersion: 2, data: { test: 'PLAT', value: 79 }, metadata }], {
      expectedVersion: 1,
    });
    await store.close();
  };

  it('prints a token the server, reading the same data directory, accepts as that user', async () => {
    expect(await run(['token', '--sub', 'u-17', '--name', 'Dr Claire Martin', '--role', 'investigator', '--sites', 'SAT,PSL', '--expires', '2h'])).toBe(0);
    const token = output.out.trim();
    const server = JwtIdentity.withSecret(resolveJwtSecret(dataDir, {}));
    await expect(server.actorFor({ authorization: `Bearer ${token}` })).resolves.toEqual({
      userId: 'u-17',
      name: 'Dr Claire Martin',
      role: 'investigator',
      sites: ['SAT', 'PSL'],
    });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(2 * 3600);
  });

  it('refuses a token for a role Vigil does not know, and names the roles', async () => {
    expect(await run(['token', '--sub', 'u-1', '--name', 'X', '--role', 'superuser'])).not.toBe(0);
    expect(output.err).toMatch(/investigator, safety_officer, monitor, data_manager, admin/);
    expect(output.out).toBe('');
  });

  it('refuses to mint tokens when an OIDC issuer is configured', async () => {
    const env = { VIGIL_JWT_JWKS_URL: 'https://login.example.fr/certs', VIGIL_JWT_ISSUER: 'https://login.example.fr', VIGIL_JWT_AUDIENCE: 'vigil' };
    expect(await run(['token', '--sub', 'u-1', '--name', 'X', '--role', 'admin'], env)).toBe(2);
    expect(output.err).toMatch(/identity provider/);
  });

  it('verifies an untouched store and exits 0', async () => {
    await seed();
    expect(await run(['audit', 'verify'])).toBe(0);
    expect(output.out).toMatch(/^Audit trail intact: 2 events in 1 streams checked/);
  });

  it('exits 1 and names the stream and version when the store was tampered with', async () => {
    await seed();
    const db = new Database(join(dataDir, 'events.sqlite'));
    db.exec('DROP TRIGGER events_are_never_updated');
    db.prepare(`UPDATE events SET data = json_set(data, '$.value', 97) WHERE stream_version = 2`).run();
    db.close();
    expect(await run(['audit', 'verify'])).toBe(1);
    expect(output.out).toMatch(/AUDIT TRAIL BROKEN/);
    expect(output.out).toMatch(/patient-TR-SAT-001 version 2: hash mismatch/);
    expect(await run(['audit', 'verify', '--json'])).toBe(1);
    expect(JSON.parse(output.out.slice(output.out.indexOf('{')))).toMatchObject({ ok: false, broken: [{ streamId: 'patient-TR-SAT-001', version: 2 }] });
  });

  /** The store seeded, with one checkpoint signed over it by the embedded default's key (in the data directory). */
  const seedSigned = async () => {
    await seed();
    const store = await createEventStore(eventStoreConfigFromEnv({ VIGIL_DATA_DIR: dataDir }));
    try {
      const key = loadSigningKey(join(dataDir, GENERATED_KEY_FILE), { generate: true });
      return (await new Checkpointer(store, store.checkpoints as CheckpointLog, key).checkpointNow()) as SignedCheckpoint;
    } finally {
      await store.close();
    }
  };

  it('verifies the signed checkpoints with the key in the data directory and exits 0', async () => {
    const checkpoint = await seedSigned();
    expect(await run(['audit', 'verify'])).toBe(0);
    expect(output.out).toMatch(/^Audit trail intact: 2 events in 1 streams checked/);
    expect(output.out).toContain(`Checkpoints: 1 signed checkpoint(s) hold`);
    expect(checkpoint.treeSize).toBe(2);
  });

  it('exits 1 and names the checkpoint whose stored root was altered, though every hash chain holds', async () => {
    await seedSigned();
    const db = new Database(join(dataDir, 'events.sqlite'));
    db.exec('DROP TRIGGER IF EXISTS checkpoints_are_never_updated');
    db.prepare(`UPDATE checkpoints SET root_hash = ? WHERE tree_size = 2`).run('ab'.repeat(32));
    db.close();
    expect(await run(['audit', 'verify'])).toBe(1);
    expect(output.out).toMatch(/^AUDIT TRAIL BROKEN: the hash chains hold, a signed checkpoint no longer matches/);
    expect(output.out).toMatch(/Checkpoints: checkpoint of tree size 2 \(signed [^,]+, database\) no longer matches: /);
    output.out = '';
    expect(await run(['audit', 'verify', '--json'])).toBe(1);
    expect(JSON.parse(output.out)).toMatchObject({ ok: false, broken: [], checkpoints: { status: 'broken', firstMismatch: { treeSize: 2 } } });
  });

  it('does not pass signed checkpoints it cannot check: without the key file it exits 1 naming the missing key', async () => {
    const checkpoint = await seedSigned();
    const publicKey = join(dataDir, 'kept-public-key.pem');
    writeFileSync(publicKey, loadSigningKey(join(dataDir, GENERATED_KEY_FILE)).publicKey.pem);
    unlinkSync(join(dataDir, GENERATED_KEY_FILE));
    expect(await run(['audit', 'verify'])).toBe(1);
    expect(output.out).toMatch(/^AUDIT TRAIL NOT VERIFIED: the hash chains hold, the signed checkpoints cannot be checked/);
    const missing = join(dataDir, GENERATED_KEY_FILE);
    expect(output.out).toContain(`(the latest of tree size 2, key ${checkpoint.keyId}) that cannot be verified: the audit signing key ${missing} is missing`);
    output.out = '';
    expect(await run(['audit', 'verify', '--json'])).toBe(1);
    expect(JSON.parse(output.out)).toMatchObject({ ok: false, broken: [], checkpoints: { status: 'unverifiable', ok: false, latest: checkpoint } });
    // Under the public key kept outside, they are checked again.
    output.out = '';
    expect(await run(['audit', 'verify', '--public-key', publicKey])).toBe(0);
  });

  it('prints the permission matrix with every route', async () => {
    expect(await run(['permissions'])).toBe(0);
    for (const route of Object.keys(PERMISSIONS)) expect(output.out).toContain(`\`${route}\``);
  });

  it('prints the rule catalogue with every rule', async () => {
    expect(await run(['rules'])).toBe(0);
    for (const rule of RULES) expect(output.out).toContain(`| \`${rule.id}\` |`);
  });
});
