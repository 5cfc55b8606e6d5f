import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, EventStore, NewEvent, StoredEvent } from '@vigil/event-store';

/** The script docs/audit-trail.md gives inspectors ("How an inspector checks it by hand"), exactly as printed there. */
function inspectorScript(): string {
  const page = readFileSync(join(__dirname, '../../../../docs/audit-trail.md'), 'utf8');
  const block = /```js\n(\/\/ check-chain\.js[\s\S]*?)```/.exec(page);
  if (!block) throw new Error('docs/audit-trail.md has no ```js block starting with "// check-chain.js"');
  return block[1];
}

const metadata = {
  userId: 'inv-1',
  userName: 'Inès Investigatrice',
  role: 'investigator',
  siteId: 'SAT',
  occurredAt: '2026-03-10T07:30:00Z',
  correlationId: 'c-1',
};
const lab = (value: number, extra: Record<string, unknown> = {}): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 2,
  data: { patientId: 'TR-SAT-101', test: 'CREAT', value, unit: 'mg/dL', normalised: { value: value * 88.4, unit: 'umol/L' }, ...extra },
  metadata,
});

describe('the hand check of docs/audit-trail.md, run on a patient stream as GET /patients/:patientId/events returns it', () => {
  let dir: string;
  let script: string;
  let store: EventStore;
  let events: StoredEvent[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-hand-check-'));
    script = join(dir, 'check-chain.js');
    writeFileSync(script, inspectorScript());
    store = await createSqliteEventStore({ file: ':memory:' });
    const stream = 'patient-TR-SAT-101';
    await store.append(stream, [lab(1.53), lab(0.76, { referenceRange: { low: 0.5, high: 1.18 }, studyDay: 8 })], { expectedVersion: 0 });
    await store.append(stream, [lab(2.1, { note: 'échantillon hémolysé — "refait" le 12/03', tiny: 1e-7, big: 1e21 })], { expectedVersion: 2 });
    await store.append(stream, [{ ...lab(1.9), metadata: { ...metadata, reason: 'Transcription error: 1.9, not 2.1' } }], { expectedVersion: 3 });
    events = await store.readStream(stream);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (stream: unknown[]): string[] =>
    execFileSync(process.execPath, [script], { input: JSON.stringify(stream), encoding: 'utf8' })
      .trim()
      .split('\n');

  it('reports every event of an untouched stream as ok', () => {
    expect(check(events)).toEqual(events.map((e) => `patient-TR-SAT-101 v${e.streamVersion} ok`));
  });

  it('finds the stream intact whatever order another tool wrote the keys in', () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reversed(v)]),
            )
          : value;
    expect(check(events.map(reversed))).toEqual(events.map((e) => `patient-TR-SAT-101 v${e.streamVersion} ok`));
  });

  it('reports an event whose value was changed as broken, and only that one', () => {
    const changed = structuredClone(events);
    (changed[2].data as { value: number }).value = 2.2;
    const lines = check(changed);
    expect(lines[2]).toBe('patient-TR-SAT-101 v3 BROKEN: hash does not match the event');
    expect(lines.filter((line) => line.includes('BROKEN'))).toHaveLength(1);
  });

  it('reports the event after a removed one as broken', () => {
    const removed = events.filter((e) => e.streamVersion !== 2);
    expect(check(removed)[1]).toBe('patient-TR-SAT-101 v3 BROKEN: previousHash is not the hash of the event before; version 2 expected');
  });

  it('reports a changed reason, a part of the metadata, as broken', () => {
    const changed = structuredClone(events);
    changed[3].metadata.reason = 'Another reason';
    expect(check(changed)[3]).toBe('patient-TR-SAT-101 v4 BROKEN: hash does not match the event');
  });
});
