import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Test } from 'supertest';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

/** The response body exactly as sent, byte for byte. */
const rawBody = (test: Test) =>
  test.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Entry {
  version: number;
  type: string;
  summary: string;
  occurredAt: string;
  recordedAt: string;
  recordedBy: { userId: string; name: string; role: string; siteId: string };
  reason?: string;
  changes?: { field: string; old: unknown; new: unknown }[];
}

describe('The audit trail: history, export, replay, access log and verification', () => {
  let vigil: VigilHarness;
  beforeEach(async () => {
    vigil = await startVigil();
    await vigil.http().post('/patients').send(enrolment()).expect(201);
  });
  afterEach(() => vigil.close());

  const investigator = () => vigil.as('investigator', ['SAT'], { sub: 'u-claire', name: 'Dr Claire Martin' });
  const dataManager = () => vigil.as('data_manager', [], { sub: 'u-dana', name: 'Dana Data' });
  const monitor = () => vigil.as('monitor', [], { sub: 'u-mo', name: 'Mo Monitor' });
  const lab = async (value: number, collectedAt: string) =>
    (await investigator().post('/patients/TR-SAT-001/lab-results').send({ test: 'PLAT', value, unit: '10*9/L', collectedAt }).expect(201)).body
      .eventId as string;

  describe('history', () => {
    it('lists every event in order, in words, with who recorded it, when (UTC) and, for a correction, old and new values and the reason', async () => {
      const labId = await lab(79, '2026-01-13T08:30:00+01:00');
      await dataManager()
        .post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`)
        .send({ value: 97, reason: 'Transcription error: the report reads 97' })
        .expect(201);
      const res = await monitor().get('/patients/TR-SAT-001/history').expect(200);
      const entries = res.body.entries as Entry[];
      expect(res.body.patientId).toBe('TR-SAT-001');
      expect(entries.map((e) => [e.version, e.type])).toEqual([
        [1, 'PatientEnrolled'],
        [2, 'LabResultRecorded'],
        [3, 'LabResultCorrected'],
      ]);
      expect(entries[1]).toMatchObject({
        summary: 'Lab result PLAT 79 10*9/L (79 ×10⁹/L) collected 2026-01-13T07:30:00Z',
        occurredAt: '2026-01-13T07:30:00.000Z',
        recordedBy: { userId: 'u-claire', name: 'Dr Claire Martin', role: 'investigator', siteId: 'SAT' },
      });
      expect(entries[1].recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(entries[2]).toMatchObject({
        recordedBy: { userId: 'u-dana', name: 'Dana Data', role: 'data_manager' },
        reason: 'Transcription error: the report reads 97',
        changes: expect.arrayContaining([{ field: 'value', old: 79, new: 97 }]),
      });
      expect(entries[2].summary).toMatch(/value 79 → 97.*Reason: Transcription error/);
    });

    it('answers 404 for a patient who is not enrolled, and records no access', async () => {
      await monitor().get('/patients/TR-SAT-404/history').expect(404);
      await monitor().get('/patients/TR-SAT-404/state').expect(404);
      await monitor().get('/patients/TR-SAT-404/history/export').expect(404);
      expect(await vigil.app.get<EventStore>(EVENT_STORE).streamVersion('access-TR-SAT-404')).toBe(0);
    });
  });

  describe('access log', () => {
    it("records who viewed the history, state and export, without moving the patient's version (its ETag)", async () => {
      const etag = (await vigil.http().get('/patients/TR-SAT-001').expect(200)).headers.etag;
      await investigator().get('/patients/TR-SAT-001/history').expect(200);
      await monitor().get('/patients/TR-SAT-001/state').query({ asOf: '2026-01-20T00:00:00Z' }).expect(200);
      await monitor().get('/patients/TR-SAT-001/history/export').query({ format: 'json' }).expect(200);
      expect((await vigil.http().get('/patients/TR-SAT-001').expect(200)).headers.etag).toBe(etag);
      const log = (await monitor().get('/patients/TR-SAT-001/access-log').expect(200)).body;
      expect(log.entries.map((e: { viewer: { userId: string }; view: string; query: object }) => [e.viewer.userId, e.view, e.query])).toEqual([
        ['u-claire', 'history', {}],
        ['u-mo', 'state', { asOf: '2026-01-20T00:00:00Z' }],
        ['u-mo', 'history-export', { format: 'json' }],
      ]);
      expect(log.entries[0].viewedAt).toMatch(/Z$/);
    });

    it('records nothing for a read that was refused', async () => {
      await vigil.as('investigator', ['PSL']).get('/patients/TR-SAT-001/history').expect(403);
      expect((await monitor().get('/patients/TR-SAT-001/access-log').expect(200)).body.entries).toEqual([]);
    });
  });

  describe('export', () => {
    it("gives an inspector's CSV copy as an attachment, with UTC times, original values and the SHA-256 of the exact body", async () => {
      const labId = await lab(79, '2026-01-13T07:30:00Z');
      await dataManager().post(`/patients/TR-SAT-001/lab-results/${labId}/corrections`).send({ value: 97, reason: 'Report says "97", not 79' }).expect(201);
      const res = await rawBody(monitor().get('/patients/TR-SAT-001/history/export').query({ format: 'csv' })).expect(200);
      const body = res.body as Buffer;
      expect(res.headers['x-vigil-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="TR-SAT-001-audit-trail-.*\.csv"$/);
      const text = body.toString('utf8');
      const lines = text.split('\r\n');
      expect(lines[0]).toMatch(/^patient_id,version,event_id,type,schema_version,occurred_at_utc,recorded_at_utc,/);
      expect(lines.filter((l) => l.startsWith('TR-SAT-001,'))).toHaveLength(3);
      expect(text).toContain('"Report says ""97"", not 79"');
      expect(text).toContain('""value"":79'); // the original value, as recorded, in the data column
      expect(text).not.toMatch(/\+0[0-9]:00/);
    });

    it('gives a JSON copy with its hash, and refuses an unknown format naming the parameter', async () => {
      const res = await rawBody(monitor().get('/patients/TR-SAT-001/history/export?format=json')).expect(200);
      expect(res.headers['x-vigil-sha256']).toBe(
        createHash('sha256')
          .update(res.body as Buffer)
          .digest('hex'),
      );
      expect(JSON.parse((res.body as Buffer).toString('utf8'))).toMatchObject({
        patientId: 'TR-SAT-001',
        exportedBy: { userId: 'u-mo', role: 'monitor' },
        entries: [{ type: 'PatientEnrolled' }],
      });
      const bad = await monitor().get('/patients/TR-SAT-001/history/export?format=xlsx').expect(400);
      expect(bad.body.errors).toEqual([{ field: 'format', reason: 'must be csv or json' }]);
    });
  });

  describe('replay', () => {
    it('shows a lab collected in the past but recorded late as of its clinical time, but not as known before it was recorded', async () => {
      await lab(250, daysAgo(5));
      await lab(180, daysAgo(4));
      await lab(120, daysAgo(3));
      const events = (await vigil.http().get('/patients/TR-SAT-001/events').expect(200)).body as { metadata: { recordedAt: string } }[];
      const knownBefore = events[events.length - 1].metadata.recordedAt;
      await sleep(5); // the late result must be recorded strictly after `knownBefore`
      const late = await lab(70, daysAgo(4.5));
      // The alert the projector raises for it (appended here, so the test does not depend on the projector running).
      const alertId = randomUUID();
      const store = vigil.app.get<EventStore>(EVENT_STORE);
      await store.append(
        `alert-${alertId}`,
        [
          {
            type: 'AlertRaised',
            schemaVersion: 1,
            data: {
              alertId,
              ruleId: 'TR-PLT',
              patientId: 'TR-SAT-001',
              siteId: 'SAT',
              triggeredBy: late,
              value: 70,
              unit: '10*9/L',
              normalisedValue: 70,
              normalisedUnit: '10*9/L',
              threshold: 80,
              thresholdUnit: '10*9/L',
              grade: 2,
              severity: 'warning',
              message: 'Platelets 70 below 80',
              raisedAt: new Date().toISOString(),
            },
            metadata: { userId: 'vigil-projector', role: 'system', siteId: 'SAT', occurredAt: new Date().toISOString(), correlationId: late },
          },
        ],
        { expectedVersion: 0 },
      );

      const state = async (query: Record<string, string>) =>
        (
          await monitor()
            .get('/patients/TR-SAT-001/state')
            .query({ ...query, view: 'full' })
            .expect(200)
        ).body;
      const values = (body: { labs: { current: { value: number } }[] }) => body.labs.map((l) => l.current.value);

      const asOf = await state({ asOf: daysAgo(4.2) });
      expect(values(asOf)).toEqual([250, 70]);
      expect(asOf.labs[1]).toMatchObject({ eventId: late, grade: { grade: 2 } });
      const alertsOfLate = (body: { alerts: { alertId: string; triggeredBy: string; status: string }[] }) =>
        body.alerts.filter((a) => a.triggeredBy === late).map((a) => [a.alertId, a.status]);
      expect(alertsOfLate(asOf)).toContainEqual([alertId, 'open']);

      const known = await state({ asKnownAt: knownBefore });
      expect(values(known)).toEqual([250, 180, 120]);
      expect(alertsOfLate(known)).toEqual([]);

      expect(values(await state({}))).toEqual([250, 70, 180, 120]);
    });

    it('steps through the stream version by version, and refuses a version beyond it', async () => {
      await lab(250, daysAgo(3));
      await lab(79, daysAgo(2));
      const at = async (atVersion: number) => (await monitor().get(`/patients/TR-SAT-001/state?atVersion=${atVersion}&view=full`)).body;
      expect((await at(1)).labs).toEqual([]);
      expect((await at(2)).labs.map((l: { current: { value: number } }) => l.current.value)).toEqual([250]);
      expect((await at(3)).labs.map((l: { current: { value: number } }) => l.current.value)).toEqual([250, 79]);
      const beyond = await monitor().get('/patients/TR-SAT-001/state?atVersion=4').expect(400);
      expect(beyond.body.errors[0].field).toBe('atVersion');
      expect(beyond.body.message).toMatch(/3 events/);
    });

    it('answers the state then as a summary by default: per test the latest value, its flags and the baseline; doses counted', async () => {
      await lab(250, daysAgo(5));
      await investigator()
        .post('/patients/TR-SAT-001/doses')
        .send({ dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(4.5) })
        .expect(201);
      const low = await lab(70, daysAgo(4));
      const later = await lab(120, daysAgo(3));
      const summary = async (query: Record<string, string>) => (await monitor().get('/patients/TR-SAT-001/state').query(query).expect(200)).body;
      const platelets = (body: { labs: { test: string; flags: string[] }[] }) => body.labs.find((l) => l.test === 'PLAT') as { flags: string[] };

      const now = await summary({});
      expect(now).toMatchObject({ view: 'summary', patientId: 'TR-SAT-001', version: 5, eventsFolded: 5, streamVersion: 5, enrolled: true, siteId: 'SAT' });
      expect(now.labs).toHaveLength(1);
      expect(platelets(now)).toMatchObject({ latest: { eventId: later, value: 120 }, baseline: { value: 250 } });
      expect(platelets(now).flags).not.toContain('TR-PLT');
      expect(now.doses).toMatchObject({ recorded: 1, voided: 0 });
      expect(now.records).toEqual({ total: 4 });
      expect(now).not.toHaveProperty('adverseEvents.0');

      const asOf = daysAgo(3.5);
      const then = await summary({ asOf });
      expect(platelets(then)).toMatchObject({ latest: { eventId: low, value: 70 }, baseline: { value: 250 } });
      expect(platelets(then).flags).toContain('TR-PLT');
      expect(then.reckonedAt).toBe(new Date(asOf).toISOString());
    });

    it('pages the records behind the summary with a cursor, in the order the full answer lists them', async () => {
      for (const [value, days] of [
        [250, 6],
        [180, 5],
        [79, 4],
        [120, 3],
        [300, 2],
      ] as const)
        await lab(value, daysAgo(days));
      await investigator()
        .post('/patients/TR-SAT-001/doses')
        .send({ dose: 1, unit: 'MIU', route: 'SC', administeredAt: daysAgo(4.5) })
        .expect(201);
      const full = (await monitor().get('/patients/TR-SAT-001/state').query({ view: 'full' }).expect(200)).body;
      expect(full.view).toBe('full');

      const seen: { kind: string; eventId: string; current: { value?: number } }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { include: 'records', limit: '2', ...(cursor ? { cursor } : {}) };
        const body = (await monitor().get('/patients/TR-SAT-001/state').query(query).expect(200)).body;
        expect(body.records.total).toBe(6);
        expect(body.records.page.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.records.page.items);
        cursor = body.records.page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen.map((r) => [r.kind, r.current.value])).toEqual([
        ['lab', 250],
        ['lab', 180],
        ['dose', undefined],
        ['lab', 79],
        ['lab', 120],
        ['lab', 300],
      ]);
      expect(seen.filter((r) => r.kind === 'lab').map((r) => r.eventId)).toEqual(full.labs.map((l: { eventId: string }) => l.eventId));
      expect(seen.find((r) => r.current.value === 79)).toMatchObject({ grade: expect.anything(), ruleHits: [expect.objectContaining({ ruleId: 'TR-PLT' })] });
    });

    it.each([
      ['view=everything', 'view'],
      ['include=labs', 'include'],
      ['include=records&limit=0', 'limit'],
      ['include=records&limit=501', 'limit'],
      ['include=records&cursor=not-a-cursor', 'cursor'],
      ['limit=10', 'limit'],
      ['view=full&include=records', 'include'],
      ['view=full&view=summary', 'view'],
      ['include=records&limit=2&limit=3', 'limit'],
      ['include=records&cursor=', 'cursor'],
    ])('refuses ?%s with 400 naming the parameter', async (query, field) => {
      const res = await monitor().get(`/patients/TR-SAT-001/state?${query}`).expect(400);
      expect(res.body.errors[0].field).toBe(field);
    });

    it.each([
      ['asOf=yesterday', 'asOf'],
      ['asKnownAt=2026-13-01T00:00:00Z', 'asKnownAt'],
      ['atVersion=two', 'atVersion'],
      ['at=2026-01-01', 'at'],
    ])('refuses ?%s with 400 naming the parameter', async (query, field) => {
      const res = await monitor().get(`/patients/TR-SAT-001/state?${query}`).expect(400);
      expect(res.body.errors[0].field).toBe(field);
    });
  });

  describe('verification', () => {
    it('verifies an untouched store clean', async () => {
      await lab(250, daysAgo(1));
      const res = await monitor().get('/audit/verify').expect(200);
      const head = (await vigil.anonymous().get('/health').expect(200)).body.eventStore.headPosition;
      expect(res.body).toMatchObject({ ok: true, streams: expect.any(Number), events: head, broken: [], checkpoints: { status: 'verified', ok: true } });
      expect(head).toBeGreaterThanOrEqual(2);
    });

    it('names the stream and version of an event changed on disk behind its back', async () => {
      await lab(79, daysAgo(1));
      await vigil.restart(() => {
        const db = new Database(join(vigil.dataDir, 'events.sqlite'));
        db.exec('DROP TRIGGER events_are_never_updated');
        db.prepare(`UPDATE events SET data = json_set(data, '$.value', 97) WHERE stream_id = 'patient-TR-SAT-001' AND stream_version = 2`).run();
        db.close();
      });
      const res = await dataManager().get('/audit/verify').expect(200);
      expect(res.body).toMatchObject({ ok: false, broken: [{ streamId: 'patient-TR-SAT-001', version: 2, reason: expect.stringMatching(/changed/) }] });
    });
  });
});
