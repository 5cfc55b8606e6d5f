import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditCheckpoints } from '@vigil/audit';
import { main } from '../apps/vigil/src/cli';
import type { CliContext } from '../apps/vigil/src/cli/cli-context';
import type { VigilRole } from '../apps/vigil/src/roles';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';
import { adminToken, freePort, VigilProcess } from './harness/vigil-process';
import { describeWithService, findPostgres } from './support/services';

interface ExportedEntry {
  eventId: string;
  version: number;
  type: string;
  globalPosition: number;
  data: Record<string, unknown>;
  summary: string;
  inclusionProof: { leafIndex: number; treeSize: number; hashes: string[] } | null;
}

/** The CLI as `npm run vigil -- …` runs it, with its output captured. */
const cli = async (...args: string[]) => {
  const output = { out: '', err: '' };
  const context: CliContext = { env: {}, out: (t) => (output.out += t), err: (t) => (output.err += t), progressStream: null, exitCode: 0 };
  return { code: await main(['node', 'vigil', ...args], context), ...output };
};

describe("An inspector's JSON export, checked offline with `vigil audit verify-export`", () => {
  let vigil: VigilHarness;
  let dir: string;
  beforeEach(async () => {
    vigil = await startVigil();
    dir = mkdtempSync(join(tmpdir(), 'vigil-export-'));
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-PSL-002', siteId: 'PSL' }))
      .expect(201);
    for (const [patientId, value] of [
      ['TR-SAT-001', 79],
      ['TR-PSL-002', 250],
      ['TR-SAT-001', 260],
    ] as const) {
      await vigil
        .http()
        .post(`/patients/${patientId}/lab-results`)
        .send({ test: 'PLAT', value, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201);
    }
  });
  afterEach(async () => {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exported = async () => {
    const res = await vigil.as('monitor').get('/patients/TR-SAT-001/history/export').query({ format: 'json' }).expect(200);
    return { text: res.text, sha256: res.headers['x-vigil-sha256'] as string, document: JSON.parse(res.text) };
  };
  const publicKeyFile = async () => {
    const file = join(dir, 'vigil-public-key.pem');
    writeFileSync(file, (await vigil.anonymous().get('/audit/public-key').expect(200)).text);
    return file;
  };

  it('gives each event its global position and an inclusion proof against the signed checkpoint, which the CLI verifies', async () => {
    const { text, sha256, document } = await exported();
    const entries = document.entries as ExportedEntry[];
    const head = (await vigil.anonymous().get('/health').expect(200)).body.eventStore.headPosition;
    expect(document.checkpoint).toMatchObject({ treeSize: expect.any(Number), rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(document.checkpoint.treeSize).toBeGreaterThanOrEqual(5);
    expect(document.checkpoint.treeSize).toBeLessThanOrEqual(head);
    for (const entry of entries) {
      expect(entry.inclusionProof).toMatchObject({ leafIndex: entry.globalPosition - 1, treeSize: document.checkpoint.treeSize });
    }
    const positions = entries.map((e) => e.globalPosition);
    expect(positions[0]).toBe(1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(3);
    // The checkpoint in the export is one Vigil published.
    const published = (await vigil.as('monitor').get('/audit/checkpoints').expect(200)).body.items;
    expect(published).toContainEqual(document.checkpoint);

    const file = join(dir, 'export.json');
    writeFileSync(file, text);
    const run = await cli('audit', 'verify-export', file, '--public-key', await publicKeyFile(), '--sha256', sha256);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^Export verified: 3 event\(s\) of patient TR-SAT-001, 3 proven in checkpoint \d+/);
  });

  it('fails a file where one value was changed, naming the event', async () => {
    const { document } = await exported();
    const lab = (document.entries as ExportedEntry[]).find((e) => e.type === 'LabResultRecorded' && e.data.value === 79) as ExportedEntry;
    lab.data.value = 97;
    const file = join(dir, 'edited.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const run = await cli('audit', 'verify-export', file, '--public-key', await publicKeyFile());
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^EXPORT DOES NOT VERIFY/);
    expect(run.out).toContain(`event ${lab.eventId} (LabResultRecorded version ${lab.version}): its content no longer gives its hash`);
    expect(run.out).toContain('the digest no longer matches the document');
  });

  it('fails a file whose readable summary alone was changed, and one checked under another public key', async () => {
    const { text, document } = await exported();
    const entry = (document.entries as ExportedEntry[])[1];
    entry.summary = 'Lab result PLAT 250 10*9/L';
    const file = join(dir, 'summary.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    expect((await cli('audit', 'verify-export', file, '--public-key', await publicKeyFile())).out).toContain(
      `event ${entry.eventId} (LabResultRecorded version 2): summary no longer say what the event records`,
    );

    const other = await startVigil();
    try {
      const otherKey = join(dir, 'other-key.pem');
      writeFileSync(otherKey, (await other.anonymous().get('/audit/public-key').expect(200)).text);
      const original = join(dir, 'original.json');
      writeFileSync(original, text);
      const run = await cli('audit', 'verify-export', original, '--public-key', otherKey);
      expect(run.code).toBe(1);
      expect(run.out).toMatch(/checkpoint of tree size \d+: signed by key [0-9a-f]{64}, not by the audit signing key/);
    } finally {
      await other.close();
    }
  });

  it('keeps the X-Vigil-SHA256 header the digest of the exact body', async () => {
    const { text, sha256 } = await exported();
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(sha256);
  });
});

/**
 * `npm start` as shipped: the checkpointer runs on the projector thread, the export is answered on the main thread,
 * which signs the head itself when no checkpoint covers it yet (AuditCheckpoints.checkpointNow).
 */
describe('An export from the embedded default on both cores, right after a write', () => {
  const JWT_SECRET = 'a-jwt-secret-of-at-least-thirty-two-characters';
  let dataDir: string;
  let vigil: VigilProcess;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-export-threads-'));
    // No checkpoint on the checkpointer's own schedule during the test: only the export can have one signed.
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_JWT_SECRET: JWT_SECRET, VIGIL_CHECKPOINT_EVERY: '1000000', VIGIL_CHECKPOINT_INTERVAL_MS: '3600000' };
    vigil = new VigilProcess('vigil', env, await freePort());
    await vigil.start();
  });
  afterEach(async () => {
    await vigil.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries a checkpoint covering every event, which `verify-export` checks; a changed value fails it, naming the event', async () => {
    expect(vigil.log).toMatch(/Projector and notifier run on thread \d+/);
    const bearer = `Bearer ${await adminToken(JWT_SECRET)}`;
    await vigil.http().post('/patients').set('Authorization', bearer).send(enrolment()).expect(201);
    const lab = await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .set('Authorization', bearer)
      .send({ test: 'PLAT', value: 250, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(201);
    const res = await vigil.http().get('/patients/TR-SAT-001/history/export').query({ format: 'json' }).set('Authorization', bearer).expect(200);
    const document = JSON.parse(res.text);
    const entries = document.entries as ExportedEntry[];
    expect(entries.map((e) => e.eventId)).toContain(lab.body.eventId);
    expect(document.checkpoint?.treeSize).toBeGreaterThanOrEqual(Math.max(...entries.map((e) => e.globalPosition)));
    for (const entry of entries) expect(entry.inclusionProof).toMatchObject({ leafIndex: entry.globalPosition - 1, treeSize: document.checkpoint.treeSize });

    const publicKey = join(dataDir, 'vigil-public-key.pem');
    writeFileSync(publicKey, (await vigil.http().get('/audit/public-key').expect(200)).text);
    const file = join(dataDir, 'export.json');
    writeFileSync(file, res.text);
    const run = await cli('audit', 'verify-export', file, '--public-key', publicKey, '--sha256', res.headers['x-vigil-sha256'] as string);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^Export verified: 2 event\(s\) of patient TR-SAT-001, 2 proven in checkpoint \d+/);

    const recorded = entries.find((e) => e.eventId === lab.body.eventId) as ExportedEntry;
    recorded.data.value = 25;
    writeFileSync(file, JSON.stringify(document, null, 2));
    const edited = await cli('audit', 'verify-export', file, '--public-key', publicKey);
    expect(edited.code).toBe(1);
    expect(edited.out).toContain(`event ${recorded.eventId} (LabResultRecorded version ${recorded.version}): its content no longer gives its hash`);
  }, 60_000);
});

/** Nodes of a cluster on one PostgreSQL schema: checkpoints on the projector node's schedule; exports answered by API-only nodes. */
describeWithService('An export from an API-only node of a cluster', findPostgres, (postgres) => {
  let schema: string;
  let keyDir: string;
  const nodes: VigilHarness[] = [];
  beforeEach(() => {
    schema = `export_${process.pid}_${Date.now().toString(36)}`;
    keyDir = mkdtempSync(join(tmpdir(), 'vigil-cluster-key-'));
  });
  afterEach(async () => {
    for (const node of nodes.splice(0).reverse()) await node.close();
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_read CASCADE`);
    await client.end();
    rmSync(keyDir, { recursive: true, force: true });
  });
  const node = async (roles: VigilRole[], key: string) => {
    const env = {
      VIGIL_EVENT_STORE: 'postgres',
      VIGIL_POSTGRES_URL: postgres.url,
      VIGIL_POSTGRES_SCHEMA: schema,
      VIGIL_AUDIT_SIGNING_KEY_FILE: key,
      // The projector node signs only when the test asks: what an API node's export needs, it must sign itself.
      VIGIL_CHECKPOINT_EVERY: '1000000',
      VIGIL_CHECKPOINT_INTERVAL_MS: '3600000',
    };
    const started = await startVigil({ roles, env });
    nodes.push(started);
    return started;
  };
  const lab = (on: VigilHarness, value: number) =>
    on
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ test: 'PLAT', value, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(201);
  const exportOf = (on: VigilHarness) => on.as('monitor').get('/patients/TR-SAT-001/history/export').query({ format: 'json' });

  it('signs the head with the key every node mounts, so the export verifies; a node without the key answers 503 naming it', async () => {
    const keyFile = join(keyDir, 'audit-key.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const projector = await node(['api', 'projector'], keyFile);
    await projector.http().post('/patients').send(enrolment()).expect(201);
    await lab(projector, 250);
    const signed = await projector.app.get(AuditCheckpoints).checkpointNow();

    const api = await node(['api'], keyFile);
    const recorded = await lab(api, 240);
    const res = await exportOf(api).expect(200);
    const document = JSON.parse(res.text);
    expect(document.checkpoint.treeSize).toBeGreaterThan(signed!.treeSize);
    const entry = (document.entries as ExportedEntry[]).find((e) => e.eventId === recorded.body.eventId);
    expect(document.checkpoint.treeSize).toBeGreaterThanOrEqual(entry!.globalPosition);
    const publicKey = join(keyDir, 'vigil-public-key.pem');
    writeFileSync(publicKey, (await api.anonymous().get('/audit/public-key').expect(200)).text);
    const file = join(keyDir, 'export.json');
    writeFileSync(file, res.text);
    const run = await cli('audit', 'verify-export', file, '--public-key', publicKey);
    expect(run.out).toMatch(/^Export verified: 3 event\(s\) of patient TR-SAT-001, 3 proven in checkpoint \d+/);
    // One checkpoint per tree size, only ever growing, whichever node signed it.
    const sizes = ((await api.as('monitor').get('/audit/checkpoints').expect(200)).body.items as { treeSize: number }[]).map((c) => c.treeSize);
    expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));

    const keyless = await node(['api'], '');
    await lab(keyless, 230);
    // Nor does it read the checkpoints the others signed as fine: it cannot check them.
    const verified = (await keyless.as('data_manager').get('/audit/verify').expect(200)).body;
    expect(verified).toMatchObject({ ok: false, broken: [], checkpoints: { status: 'unverifiable', ok: false } });
    expect(verified.checkpoints.message).toMatch(/holds signed checkpoints .* that cannot be verified: .*VIGIL_AUDIT_SIGNING_KEY_FILE/);
    const refused = await exportOf(keyless).expect(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toMatchObject({ code: 'CHECKPOINT_UNAVAILABLE', message: expect.stringMatching(/cannot sign one .*VIGIL_AUDIT_SIGNING_KEY_FILE/) });
    // Once a node with the key signed the head, the keyless node's export carries it.
    await projector.app.get(AuditCheckpoints).checkpointNow();
    const later = JSON.parse((await exportOf(keyless).expect(200)).text);
    for (const entry of later.entries as ExportedEntry[]) expect(entry.inclusionProof).toMatchObject({ treeSize: later.checkpoint.treeSize });
  });
});
