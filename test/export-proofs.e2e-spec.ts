import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../apps/vigil/src/cli';
import type { CliContext } from '../apps/vigil/src/cli/cli-context';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

interface ExportedEntry {
  eventId: string;
  version: number;
  type: string;
  globalPosition: number;
  data: Record<string, unknown>;
  summary: string;
  inclusionProof: { leafIndex: number; treeSize: number; hashes: string[] } | null;
}

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

  /** The CLI as `npm run vigil -- …` runs it, with its output captured. */
  const cli = async (...args: string[]) => {
    const output = { out: '', err: '' };
    const context: CliContext = { env: {}, out: (t) => (output.out += t), err: (t) => (output.err += t), progressStream: null, exitCode: 0 };
    return { code: await main(['node', 'vigil', ...args], context), ...output };
  };
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
