import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertIdFor, alertStream, patientStream, TRANSREG, type AlertRaisedData, type PatientCommand } from '@vigil/domain';
import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import { ReadModelDatabase } from '@vigil/projections';
import { PatientLog } from '@vigil/projections/testing';
import type { AlertingState } from './alerting-state';
import { alertEvents, Monitor } from './testing/monitor';

const PLATELETS_LOW = 79;
const DAY = 86_400_000;

describe('AlertingReactor', () => {
  let store: EventStore;
  let log: PatientLog;
  let now: Date;
  const monitors: Monitor[] = [];
  const monitor = async (options: ConstructorParameters<typeof Monitor>[1] = {}, db?: ReadModelDatabase) => {
    const m = new Monitor(store, { clock: () => now, ...options }, db);
    monitors.push(m);
    return m.start();
  };
  const at = (iso: string) => (now = new Date(iso));

  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    now = new Date('2026-03-01T12:00:00Z');
    // Events are recorded at `now`: the time the rules judge them at (missed doses, awareness).
    log = new PatientLog(store, () => now);
  });

  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.stop();
    await store.close();
  });

  describe('platelets (TR-PLT, docs/safety-rules.md §1)', () => {
    it('raises one TR-PLT alert for 79 × 10⁹/L platelets in an RA patient, caused by the lab result, as the safety rules', async () => {
      const m = await monitor();
      const [enrolled] = await log.enrol('P-101', 'RA');
      const lab = await log.lab('P-101', 'PLAT', PLATELETS_LOW, '10*9/L', { collectedAt: '2026-02-02T08:00:00Z' });
      await m.caughtUp();

      const raised = await alertEvents(store, 'AlertRaised');
      expect(raised).toHaveLength(1);
      const alertId = alertIdFor(lab.eventId, 'TR-PLT');
      expect(raised[0].streamId).toBe(alertStream(alertId));
      expect(raised[0].data).toMatchObject({
        alertId,
        ruleId: 'TR-PLT',
        patientId: 'P-101',
        siteId: 'PSL',
        triggeredBy: lab.eventId,
        subject: `lab/${lab.eventId}`,
        value: 79,
        unit: '10*9/L',
        normalisedValue: 79,
        normalisedUnit: '10*9/L',
        threshold: 80,
        thresholdUnit: '10*9/L',
        severity: 'warning',
      });
      expect(raised[0].metadata).toMatchObject({
        userId: 'vigil:safety-rules',
        role: 'system',
        siteId: 'PSL',
        causationId: lab.eventId,
        correlationId: lab.metadata.correlationId,
        occurredAt: '2026-02-02T08:00:00.000Z',
      });
      expect(lab.metadata.correlationId).not.toBe(enrolled.metadata.correlationId);
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ alertId, ruleId: 'TR-PLT', status: 'open', escalated: false, triggeredBy: lab.eventId }),
      ]);
    });

    it('raises nothing for exactly 80 × 10⁹/L (the threshold is strict)', async () => {
      const m = await monitor();
      await log.enrol('P-102', 'RA');
      await log.lab('P-102', 'PLAT', 80, '10*9/L');
      await log.lab('P-102', 'PLAT', 80_000, '/mm3');
      await m.caughtUp();
      expect(await alertEvents(store)).toEqual([]);
    });

    it('converts 79 000 /mm³ to 79 × 10⁹/L before judging, and shows both units on the alert', async () => {
      const m = await monitor();
      await log.enrol('P-103', 'RA');
      await log.lab('P-103', 'PLAT', 79_000, '/mm3');
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ ruleId: 'TR-PLT', value: 79_000, unit: '/mm3', normalisedValue: 79, normalisedUnit: '10*9/L' }),
      ]);
    });

    it('reads old event versions through the upcasters: a v1 platelet count in /mm³ raises its TR-PLT alert normalised', async () => {
      const m = await monitor();
      await log.enrol('P-104', 'RA');
      const [v1] = (
        await store.append(
          patientStream('P-104'),
          [
            {
              type: 'LabResultRecorded',
              schemaVersion: 1, // before `normalised` existed
              data: { patientId: 'P-104', test: 'PLAT', value: 8000, unit: '/mm3', collectedAt: '2026-02-02T08:00:00.000Z' },
              metadata: { userId: 'investigator-1', role: 'investigator', siteId: 'PSL', occurredAt: '2026-02-02T08:00:00.000Z', correlationId: 'c-201' },
            },
          ],
          { expectedVersion: 1 },
        )
      ).events;
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({
          alertId: alertIdFor(v1.eventId, 'TR-PLT'),
          value: 8000,
          unit: '/mm3',
          normalisedValue: 8,
          normalisedUnit: '10*9/L',
          grade: 4,
        }),
      ]);
    });
  });

  describe('idempotency (docs/safety-rules.md §7: one result, one rule, one alert)', () => {
    it('raises one alert however often the log is judged again: a reactor replaying the whole log appends nothing', async () => {
      const first = await monitor();
      await log.enrol('P-105', 'RA');
      await log.lab('P-105', 'PLAT', PLATELETS_LOW, '10*9/L');
      await first.caughtUp();
      const head = await store.headPosition();

      const replaying = await monitor(); // a fresh state: every event is judged a second time
      await replaying.caughtUp();
      expect(await store.headPosition()).toBe(head);
      expect(await alertEvents(store, 'AlertRaised')).toHaveLength(1);
    });

    it('raises one alert when a batch fails after its alerts were appended and is run again', async () => {
      let failures = 0;
      const failingOnce = (state: AlertingState): AlertingState => ({
        ...bind(state),
        commit: async (changes) => {
          if (failures++ === 0 && changes.patients.size > 0) throw new Error('crash before the checkpoint');
          return state.commit(changes);
        },
      });
      const m = await monitor({ wrapState: failingOnce });
      await log.enrol('P-106', 'RA');
      const lab = await log.lab('P-106', 'PLAT', PLATELETS_LOW, '10*9/L');
      await m.caughtUp();
      expect(failures).toBeGreaterThan(1);
      expect((await alertEvents(store, 'AlertRaised')).map((e) => e.streamId)).toEqual([alertStream(alertIdFor(lab.eventId, 'TR-PLT'))]);
    });

    it('keeps retrying while its database is away, its checkpoint unreadable too, and raises the alert once it is back', async () => {
      let away = false;
      let checkpointReadsRefused = 0;
      const restarting = (state: AlertingState): AlertingState => ({
        ...bind(state),
        position: async () => {
          if (away && checkpointReadsRefused++ < 3) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          return state.position();
        },
        commit: async (changes) => {
          if (changes.patients.size > 0 && !away) {
            away = true; // the server goes down in the middle of the batch
            throw new Error('Connection terminated unexpectedly');
          }
          return state.commit(changes);
        },
      });
      const m = await monitor({ wrapState: restarting });
      await log.enrol('P-107', 'RA');
      const lab = await log.lab('P-107', 'PLAT', PLATELETS_LOW, '10*9/L');
      await m.caughtUp();
      expect(checkpointReadsRefused).toBeGreaterThan(3);
      expect((await alertEvents(store, 'AlertRaised')).map((e) => e.streamId)).toEqual([alertStream(alertIdFor(lab.eventId, 'TR-PLT'))]);
    });

    it('after a restart, judges from the log: the disease, and a correction of a result recorded before it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-alerting-'));
      const file = join(dir, 'projections.sqlite');
      const first = await monitor({}, new ReadModelDatabase({ file }));
      await log.enrol('P-107', 'AIH');
      const low = await log.lab('P-107', 'PLAT', 8, '10*9/L', { collectedAt: '2026-01-02T08:00:00Z' });
      for (let day = 3; day <= 20; day++) await log.lab('P-107', 'PLAT', 250, '10*9/L', { collectedAt: `2026-01-${String(day).padStart(2, '0')}T08:00:00Z` });
      await first.caughtUp();
      await first.stop({ keepDatabase: false }); // the process ends; its state stays on disk
      monitors.splice(monitors.indexOf(first), 1);

      const restarted = await monitor({}, new ReadModelDatabase({ file }));
      expect(restarted.reactor.position).toBe(await store.headPosition());
      await log.lab('P-107', 'ALT', 150, 'U/L', { referenceRange: { high: 40 } }); // 3.75 × ULN: grade 2, and TR-ALT is not for AIH
      await log.run('P-107', { type: 'CorrectLabResult', eventId: low.eventId, changes: { value: 80 }, reason: 'transcription error: 80 read as 8' });
      await restarted.caughtUp();
      expect((await restarted.list.get(alertIdFor(low.eventId, 'TR-PLT')))?.status).toBe('retracted');
      expect((await alertEvents(store, 'AlertRaised')).map((e) => (e.data as AlertRaisedData).ruleId)).toEqual(['TR-PLT']);
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('protocol exceptions never silence a severe result (issue 11, defects 1 and 2)', () => {
    it('raises CTCAE-LAB grade 4 for ALT at 21 × ULN in an autoimmune hepatitis patient, and no TR-ALT', async () => {
      const m = await monitor();
      await log.enrol('P-108', 'AIH');
      await log.lab('P-108', 'ALT', 840, 'U/L', { referenceRange: { high: 40 } });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 4, severity: 'critical', value: 840, threshold: 800, thresholdUnit: 'U/L' }),
      ]);
    });

    it('raises CTCAE-LAB for a lupus patient whose clearance is below 15 mL/min, and no TR-CRCL', async () => {
      const m = await monitor();
      await log.enrol('P-109', 'SLE', { sex: 'M', birthYear: 1960, weightKg: 70 });
      await log.lab('P-109', 'CREAT', 550, 'umol/L');
      await m.caughtUp();
      const [alert] = (await m.list.find()).items;
      expect(alert).toMatchObject({ ruleId: 'CTCAE-LAB', grade: 4, severity: 'critical', threshold: 15, thresholdUnit: 'mL/min' });
      expect((await m.list.find()).items).toHaveLength(1);
    });

    it.each([
      ['NEUT', 0.4, '10*9/L', {}, 4],
      ['HGB', 75, 'g/L', {}, 3],
      ['BILI', 80, 'umol/L', { high: 20 }, 3],
    ] as const)('raises CTCAE-LAB for %s %s %s (grade %#), which no protocol threshold covers', async (test, value, unit, range, grade) => {
      const m = await monitor();
      await log.enrol('P-110', 'RA');
      await log.lab('P-110', test, value, unit, { referenceRange: range });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: [4, 3, 3][['NEUT', 'HGB', 'BILI'].indexOf(test)], severity: 'critical' }),
      ]);
      expect(grade).toBeDefined();
    });

    it('grades a TR-CRCL alert by the clearance: 13.6 mL/min is grade 4, critical (issue 11, defect 4)', async () => {
      const m = await monitor();
      // A man born 1960, 60 kg, in 2026 (age 66): creatinine 400 µmol/L gives (140 − 66) × 60 / (0.814 × 400) ≈ 13.6 mL/min.
      await log.enrol('P-111', 'RA', { sex: 'M', birthYear: 1960, weightKg: 60 });
      await log.lab('P-111', 'CREAT', 400, 'umol/L', { referenceRange: { high: 104 } });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([expect.objectContaining({ ruleId: 'TR-CRCL', grade: 4, severity: 'critical' })]);
    });
  });

  describe('a protocol alert never shows a severe result below its grade (docs/safety-rules.md §2)', () => {
    it('raises CTCAE-LAB grade 3, critical, beside a grade 2 TR-CRCL for a creatinine of grade 3 on its baseline', async () => {
      const m = await monitor();
      await log.enrol('P-150', 'RA', { sex: 'F', birthYear: 1970, weightKg: 65 });
      await log.lab('P-150', 'CREAT', 60, 'umol/L', { referenceRange: { high: 104 }, collectedAt: '2026-01-05T08:00:00Z' });
      await log.run('P-150', { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2026-01-06T09:00:00Z' });
      const later = await log.lab('P-150', 'CREAT', 190, 'umol/L', { referenceRange: { high: 104 }, collectedAt: '2026-01-08T08:00:00Z' });
      await m.caughtUp();
      // 190 is 3.17 × the baseline of 60 (grade 3); the clearance, 84 × 65 / (0.814 × 190) × 0.85 ≈ 30.008 mL/min, is grade 2.
      const alerts = (await m.list.find()).items.filter((a) => a.triggeredBy === later.eventId);
      expect(alerts).toHaveLength(2);
      expect(alerts).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ruleId: 'TR-CRCL', grade: 2, severity: 'warning' }),
          expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 3, severity: 'critical', value: 190, threshold: 180, thresholdUnit: 'umol/L' }),
        ]),
      );
    });
  });

  describe('corrections (docs/safety-rules.md §7: retracted visibly, never deleted; updated when they change the alert)', () => {
    it('retracts the alert of a platelet count corrected from 8 to 80, naming the correction and its reason', async () => {
      const m = await monitor();
      await log.enrol('P-112', 'RA');
      const lab = await log.lab('P-112', 'PLAT', 8, '10*9/L');
      await m.caughtUp();
      const alertId = alertIdFor(lab.eventId, 'TR-PLT');
      const [correction] = await log.run('P-112', {
        type: 'CorrectLabResult',
        eventId: lab.eventId,
        changes: { value: 80 },
        reason: 'transcription error: 80 read as 8',
      });
      await m.caughtUp();

      const retracted = await alertEvents(store, 'AlertRetracted');
      expect(retracted).toHaveLength(1);
      expect(retracted[0].streamId).toBe(alertStream(alertId));
      expect(retracted[0].data).toMatchObject({ alertId, correctionEventId: correction.eventId, reason: 'transcription error: 80 read as 8' });
      expect(retracted[0].metadata).toMatchObject({
        userId: 'vigil:safety-rules',
        causationId: correction.eventId,
        correlationId: correction.metadata.correlationId,
        reason: 'transcription error: 80 read as 8',
      });
      expect(await m.list.get(alertId)).toMatchObject({
        status: 'retracted',
        retractedBy: correction.eventId,
        retractionReason: 'transcription error: 80 read as 8',
      });
    });

    it('raises a new alert, keyed by the correction, when a correction crosses a rule the original did not', async () => {
      const m = await monitor();
      await log.enrol('P-113', 'RA');
      const lab = await log.lab('P-113', 'PLAT', 80, '10*9/L');
      const [correction] = await log.run('P-113', { type: 'CorrectLabResult', eventId: lab.eventId, changes: { value: 8 }, reason: 'wrong sample' });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ alertId: alertIdFor(correction.eventId, 'TR-PLT'), triggeredBy: correction.eventId, value: 8, status: 'open' }),
      ]);
    });

    it('updates the one alert when a correction makes a result worse: lymphocytes 0.55 corrected to 0.15 (issue 11, defect 5)', async () => {
      const m = await monitor();
      await log.enrol('P-114', 'RA');
      const lab = await log.lab('P-114', 'LYM', 0.55, 'G/L');
      await m.caughtUp();
      const alertId = alertIdFor(lab.eventId, 'TR-LYM');
      expect(await m.list.get(alertId)).toMatchObject({ value: 0.55, grade: 2, severity: 'warning' });
      await m.streams.decide(
        { type: 'AcknowledgeAlert', alertId, by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: now.toISOString() },
        { userId: 'so-1', role: 'safety_officer', occurredAt: now.toISOString(), causationId: null },
      );
      const [correction] = await log.run('P-114', {
        type: 'CorrectLabResult',
        eventId: lab.eventId,
        changes: { value: 0.15 },
        reason: 'lab re-read the slide',
      });
      await m.caughtUp();

      expect((await alertEvents(store)).map((e) => e.type)).toEqual(['AlertRaised', 'AlertAcknowledged', 'AlertUpdated']);
      const [updated] = await alertEvents(store, 'AlertUpdated');
      expect(updated.data).toMatchObject({
        alertId,
        ruleId: 'TR-LYM',
        correctionEventId: correction.eventId,
        previous: { value: 0.55, grade: 2, severity: 'warning' },
        current: { value: 0.15, grade: 4, severity: 'critical' },
      });
      // An acknowledged alert whose severity rises is open again.
      expect(await m.list.get(alertId)).toMatchObject({
        status: 'open',
        value: 0.15,
        grade: 4,
        severity: 'critical',
        updates: [expect.objectContaining({ correctionEventId: correction.eventId })],
      });
    });

    it('retracts every alert of a result entered in error', async () => {
      const m = await monitor();
      await log.enrol('P-115', 'RA');
      const lab = await log.lab('P-115', 'PLAT', 8, '10*9/L');
      const [voided] = await log.run('P-115', { type: 'VoidLabResult', eventId: lab.eventId, reason: 'sample of another patient' });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ status: 'retracted', retractedBy: voided.eventId, retractionReason: 'sample of another patient' }),
      ]);
    });

    it("updates a later result's grade when its baseline is corrected (creatinine: grade 3 on baseline, issue 11 defect 3)", async () => {
      const m = await monitor();
      await log.enrol('P-116', 'SLE', { sex: 'F', birthYear: 1980, weightKg: 90 });
      const baseline = await log.lab('P-116', 'CREAT', 60, 'umol/L', { referenceRange: { high: 104 }, collectedAt: '2026-01-05T08:00:00Z' });
      await log.run('P-116', { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2026-01-06T09:00:00Z' });
      const later = await log.lab('P-116', 'CREAT', 190, 'umol/L', { referenceRange: { high: 104 }, collectedAt: '2026-01-08T08:00:00Z' });
      await m.caughtUp();
      // 190 is 1.83 × ULN (grade 2) but 3.17 × the baseline of 60: grade 3.
      const ctcae = async () => (await m.list.find({ ruleId: 'CTCAE-LAB' })).items;
      expect(await ctcae()).toEqual([expect.objectContaining({ grade: 3, triggeredBy: later.eventId })]);
      await log.run('P-116', { type: 'CorrectLabResult', eventId: baseline.eventId, changes: { value: 100 }, reason: 'baseline misread' });
      await m.caughtUp();
      expect(await ctcae()).toEqual([expect.objectContaining({ status: 'retracted' })]);
    });
  });

  describe('adverse events and their clocks (issue 11, defects 6 and 7)', () => {
    const serious = (extra: Partial<Extract<PatientCommand, { type: 'ReportAdverseEvent' }>> = {}): PatientCommand => ({
      type: 'ReportAdverseEvent',
      term: 'Pneumonia',
      onsetAt: '2026-02-25T00:00:00Z',
      grade: 3,
      serious: true,
      seriousnessCriteria: ['hospitalisation'],
      ...extra,
    });

    it('starts the SAE clock when the investigator became aware: 30 hours ago means already overdue', async () => {
      const m = await monitor();
      await log.enrol('P-117', 'RA');
      const awareAt = new Date(now.getTime() - 30 * 3_600_000).toISOString();
      const [ae] = await log.run('P-117', serious({ awareAt }));
      await m.caughtUp();
      const [alert] = (await m.list.find()).items;
      expect(alert).toMatchObject({
        ruleId: 'SAE-24H',
        severity: 'critical',
        triggeredBy: ae.eventId,
        deadline: new Date(Date.parse(awareAt) + DAY).toISOString(),
      });
      expect(Date.parse(alert.deadline as string)).toBeLessThan(now.getTime());
    });

    it('escalates an SAE whose reminder time has already passed as it raises it, with no escalator pass', async () => {
      const m = await monitor();
      await log.enrol('P-151', 'RA');
      await log.run('P-151', serious({ awareAt: new Date(now.getTime() - 30 * 3_600_000).toISOString() }));
      await m.caughtUp();
      expect((await alertEvents(store)).map((e) => e.type)).toEqual(['AlertRaised', 'AlertEscalated']);
      const [alert] = (await m.list.find()).items;
      expect(alert).toMatchObject({ ruleId: 'SAE-24H', status: 'open', escalated: true, escalatedAt: now.toISOString() });
      // The escalator's own pass finds nothing more to do: one escalation.
      expect(await m.escalator.escalateDue(now)).toBe(0);
    });

    it('does not escalate at raising an SAE whose reminder time is still ahead', async () => {
      const m = await monitor();
      await log.enrol('P-152', 'RA');
      await log.run('P-152', serious({ awareAt: new Date(now.getTime() - 17 * 3_600_000).toISOString() }));
      await m.caughtUp();
      expect((await alertEvents(store)).map((e) => e.type)).toEqual(['AlertRaised']);
      expect((await m.list.find()).items).toEqual([expect.objectContaining({ ruleId: 'SAE-24H', escalated: false })]);
    });

    it('escalates before the deadline (6 h before), not 24 h after raising, and the sponsor report closes the clock', async () => {
      const m = await monitor();
      await log.enrol('P-118', 'RA');
      const [ae] = await log.run('P-118', serious());
      await m.caughtUp();
      const [alert] = (await m.list.find()).items;
      const deadline = Date.parse(alert.deadline as string);
      expect(deadline).toBe(now.getTime() + DAY);
      expect(await m.escalator.escalateDue(new Date(deadline - 6 * 3_600_000 - 1))).toBe(0);
      expect(await m.escalator.escalateDue(new Date(deadline - 6 * 3_600_000))).toBe(1);
      await m.caughtUp();
      expect(await m.list.get(alert.alertId)).toMatchObject({ escalated: true });

      at(new Date(deadline - 3_600_000).toISOString());
      const [report] = await log.run('P-118', {
        type: 'RecordSponsorReport',
        adverseEventId: ae.eventId,
        reportedAt: now.toISOString(),
        reference: 'SPONSOR-0042',
      });
      await m.caughtUp();
      expect(await m.list.get(alert.alertId)).toMatchObject({ status: 'closed', reportedAt: now.toISOString(), late: false, reportReference: 'SPONSOR-0042' });
      expect((await alertEvents(store, 'AlertClosed'))[0].data).toMatchObject({ byEventId: report.eventId });
    });

    it('marks a sponsor report made after the deadline as late', async () => {
      const m = await monitor();
      await log.enrol('P-119', 'RA');
      const [ae] = await log.run('P-119', serious({ awareAt: new Date(now.getTime() - 30 * 3_600_000).toISOString() }));
      await log.run('P-119', { type: 'RecordSponsorReport', adverseEventId: ae.eventId, reportedAt: now.toISOString() });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([expect.objectContaining({ ruleId: 'SAE-24H', status: 'closed', late: true })]);
    });

    it('raises AE-SEVERE for a non-serious event of grade 3 (warning) or 4 (critical), and updates it when the grade is corrected', async () => {
      const m = await monitor();
      await log.enrol('P-120', 'RA');
      const [ae] = await log.run('P-120', { type: 'ReportAdverseEvent', term: 'Rash', onsetAt: '2026-02-25T00:00:00Z', grade: 3, serious: false });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([expect.objectContaining({ ruleId: 'AE-SEVERE', severity: 'warning', grade: 3 })]);
      await log.run('P-120', { type: 'CorrectAdverseEvent', eventId: ae.eventId, changes: { grade: 4 }, reason: 'worsened' });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([expect.objectContaining({ ruleId: 'AE-SEVERE', severity: 'critical', grade: 4, status: 'open' })]);
      await log.run('P-120', { type: 'ReportAdverseEvent', term: 'Fatigue', onsetAt: '2026-02-26T00:00:00Z', grade: 2, serious: false });
      await m.caughtUp();
      expect((await m.list.find()).items).toHaveLength(1);
    });

    it('runs a SUSAR clock from the sponsor’s first knowledge once the sponsor assesses a serious event as related and unexpected', async () => {
      const m = await monitor();
      await log.enrol('P-121', 'RA');
      const [ae] = await log.run('P-121', serious({ seriousnessCriteria: ['life-threatening'], grade: 4, awareAt: '2026-03-01T09:00:00Z' }));
      await log.run('P-121', { type: 'RecordSponsorReport', adverseEventId: ae.eventId, reportedAt: '2026-03-01T10:00:00Z' });
      at('2026-03-03T12:00:00Z');
      await log.run('P-121', { type: 'AssessAdverseEvent', adverseEventId: ae.eventId, expected: false, causality: 'probable', note: 'not in the SmPC' });
      await m.caughtUp();
      // Day 0 is the sponsor report (1 March): a life-threatening SUSAR is due by the end of 8 March.
      expect((await m.list.find({ ruleId: 'SUSAR-7D' })).items).toEqual([
        expect.objectContaining({ severity: 'critical', deadline: '2026-03-08T23:59:59.999Z', status: 'open' }),
      ]);

      at('2026-03-05T10:00:00Z');
      await log.run('P-121', { type: 'RecordRegulatoryReport', adverseEventId: ae.eventId, reportedAt: '2026-03-05T09:00:00Z', reference: 'EV-123' });
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'SUSAR-7D' })).items).toEqual([expect.objectContaining({ status: 'closed', late: false })]);
    });

    it('raises no SUSAR when the sponsor finds the reaction expected or unrelated', async () => {
      const m = await monitor();
      await log.enrol('P-122', 'RA');
      const [ae] = await log.run('P-122', serious());
      await log.run('P-122', { type: 'AssessAdverseEvent', adverseEventId: ae.eventId, expected: true, causality: 'definite' });
      await m.caughtUp();
      expect((await m.list.find()).items.map((a) => a.ruleId)).toEqual(['SAE-24H']);
    });
  });

  describe("Hy's law", () => {
    it('raises one HY-LAW alert for ALT at 4 × ULN and bilirubin at 2.5 × ULN five days apart, in any disease', async () => {
      const m = await monitor();
      await log.enrol('P-123', 'AIH');
      await log.lab('P-123', 'ALT', 160, 'U/L', { referenceRange: { high: 40 }, collectedAt: '2026-02-01T08:00:00Z' });
      const bili = await log.lab('P-123', 'BILI', 50, 'umol/L', { referenceRange: { high: 20 }, collectedAt: '2026-02-06T08:00:00Z' });
      await log.lab('P-123', 'ALT', 170, 'U/L', { referenceRange: { high: 40 }, collectedAt: '2026-02-07T08:00:00Z' });
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'HY-LAW' })).items).toEqual([
        expect.objectContaining({ severity: 'critical', triggeredBy: bili.eventId, subject: `hy-law/${bili.eventId}` }),
      ]);
    });

    it('does not call a cholestatic picture Hy’s law: alkaline phosphatase at 2 × ULN in the window', async () => {
      const m = await monitor();
      await log.enrol('P-124', 'RA');
      await log.lab('P-124', 'ALP', 240, 'U/L', { referenceRange: { high: 120 }, collectedAt: '2026-02-03T08:00:00Z' });
      await log.lab('P-124', 'ALT', 160, 'U/L', { referenceRange: { high: 40 }, collectedAt: '2026-02-01T08:00:00Z' });
      await log.lab('P-124', 'BILI', 50, 'umol/L', { referenceRange: { high: 20 }, collectedAt: '2026-02-06T08:00:00Z' });
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'HY-LAW' })).items).toEqual([]);
    });
  });

  describe('doses on the grid (issue 11, defect 8)', () => {
    const doseOn = (patientId: string, day: string, extra: Partial<Extract<PatientCommand, { type: 'RecordDose' }>> = {}) => {
      at(`${day}T10:00:00Z`);
      return log.run(patientId, { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: `${day}T09:00:00Z`, ...extra });
    };
    const induction = async (patientId: string, disease = 'RA') => {
      await log.enrol(patientId, disease);
      for (const day of ['2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-10']) await doseOn(patientId, day);
    };

    it('flags a maintenance dose 4 days late as DOSE-WINDOW with the default window of ±2 days', async () => {
      const m = await monitor();
      await induction('P-130');
      const [late] = await doseOn('P-130', '2026-01-24'); // Day 15 is 20 January: 4 days late
      await m.caughtUp();
      expect((await m.list.find({ status: 'open' })).items).toEqual([expect.objectContaining({ ruleId: 'DOSE-WINDOW', triggeredBy: late.eventId })]);
    });

    it('accepts the same dose when the deployment configures a maintenance window of ±5 days', async () => {
      const m = await monitor({ protocol: { ...TRANSREG, maintenanceWindowDays: 5 } });
      await induction('P-131');
      await doseOn('P-131', '2026-01-24');
      await m.caughtUp();
      expect((await m.list.find({ status: 'open' })).items).toEqual([]);
    });

    it('raises a DOSE-AMOUNT warning for a dose other than 1 MIU', async () => {
      const m = await monitor();
      await log.enrol('P-132', 'RA');
      const [dose] = await doseOn('P-132', '2026-01-06', { dose: 2 });
      await m.caughtUp();
      expect((await m.list.find()).items).toEqual([
        expect.objectContaining({ ruleId: 'DOSE-AMOUNT', severity: 'warning', triggeredBy: dose.eventId, value: 2, unit: 'MIU' }),
      ]);
    });

    it('raises DOSE-MISSED as soon as a later event is judged after the window closed, and retracts it when the dose is recorded late', async () => {
      const m = await monitor();
      await induction('P-133');
      at('2026-01-23T08:00:00Z'); // Day 15 (20 January) ± 2 closed at the end of 22 January
      await log.lab('P-133', 'PLAT', 250, '10*9/L', { collectedAt: '2026-01-23T07:00:00Z' });
      await m.caughtUp();
      const [missed] = (await m.list.find({ ruleId: 'DOSE-MISSED' })).items;
      expect(missed).toMatchObject({ status: 'open', subject: 'due/2026-01-20', severity: 'warning' });
      const [back] = await doseOn('P-133', '2026-01-20'); // given on time, entered late
      await m.caughtUp();
      expect(await m.list.get(missed.alertId)).toMatchObject({ status: 'retracted', retractedBy: back.eventId });
    });

    it('raises DOSE-MISSED by its timer when no event of the patient comes', async () => {
      const m = await monitor();
      await induction('P-134');
      await m.caughtUp();
      at('2026-01-22T23:00:00Z');
      await m.reactor.checkSchedules(now);
      expect((await m.list.find({ ruleId: 'DOSE-MISSED' })).items).toEqual([]);
      at('2026-01-23T00:00:30Z');
      expect(await m.reactor.checkSchedules(now)).toBe(1);
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-MISSED' })).items).toEqual([expect.objectContaining({ subject: 'due/2026-01-20', status: 'open' })]);
      // A second pass (another node, a restart) raises nothing again.
      await m.reactor.checkSchedules(now);
      await m.caughtUp();
      expect(await alertEvents(store, 'AlertRaised')).toHaveLength(1);
    });

    it('expects no dose of a discontinued patient, and a status recorded late retracts the missed doses it explains', async () => {
      const m = await monitor();
      await induction('P-135');
      at('2026-02-20T08:00:00Z');
      await log.lab('P-135', 'PLAT', 250, '10*9/L', { collectedAt: '2026-02-20T07:00:00Z' });
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-MISSED', status: 'open' })).items.map((a) => a.subject)).toEqual([
        'due/2026-02-17',
        'due/2026-02-03',
        'due/2026-01-20',
      ]);
      await log.run('P-135', { type: 'ChangeTreatmentStatus', status: 'discontinued', effectiveAt: '2026-01-15T00:00:00Z', reason: 'patient moved abroad' });
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-MISSED', status: 'open' })).items).toEqual([]);
      const [after] = await doseOn('P-135', '2026-02-21');
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-AFTER-STOP' })).items).toEqual([expect.objectContaining({ triggeredBy: after.eventId, status: 'open' })]);
    });

    it('re-judges every later dose when a dose is corrected, raising and retracting to match', async () => {
      const m = await monitor();
      await induction('P-136');
      const [first] = await doseOn('P-136', '2026-01-20');
      const [second] = await doseOn('P-136', '2026-02-03');
      await m.caughtUp();
      expect((await m.list.find({ status: 'open' })).items).toEqual([]);
      // Moving the Day 15 dose to 17 January (Day 12) takes it off the grid: Day 15 then stands missed.
      const [correction] = await log.run('P-136', {
        type: 'CorrectDose',
        eventId: first.eventId,
        changes: { administeredAt: '2026-01-17T09:00:00Z' },
        reason: 'date misread',
      });
      await m.caughtUp();
      const open = async () => (await m.list.find({ status: 'open' })).items.map((a) => [a.ruleId, a.subject]);
      expect(await open()).toEqual([
        ['DOSE-MISSED', 'due/2026-01-20'],
        ['DOSE-WINDOW', `dose/${first.eventId}`],
      ]);
      // Corrected back, everything raised for it is retracted, naming that correction.
      const [back] = await log.run('P-136', {
        type: 'CorrectDose',
        eventId: first.eventId,
        changes: { administeredAt: '2026-01-20T09:00:00Z' },
        reason: 'was right',
      });
      await m.caughtUp();
      expect(await open()).toEqual([]);
      expect((await m.list.find({ status: 'retracted' })).items.map((a) => a.retractedBy)).toEqual([back.eventId, back.eventId]);
      expect([second, correction]).toHaveLength(2);
    });

    it('raises DOSE-DURING-CRITICAL for a dose recorded while a critical alert is open, and not once it is acknowledged', async () => {
      const m = await monitor();
      await induction('P-137');
      const lab = await log.lab('P-137', 'WBC', 1.5, '10*9/L', { collectedAt: '2026-01-10T08:00:00Z' });
      await m.caughtUp();
      const [during] = await doseOn('P-137', '2026-01-20');
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-DURING-CRITICAL' })).items).toEqual([
        expect.objectContaining({ triggeredBy: during.eventId, severity: 'critical' }),
      ]);

      for (const alert of (await m.list.find({ status: 'open', severity: 'critical' })).items) {
        await m.streams.decide(
          { type: 'AcknowledgeAlert', alertId: alert.alertId, by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: now.toISOString() },
          { userId: 'so-1', role: 'safety_officer', occurredAt: now.toISOString(), causationId: null },
        );
      }
      await m.caughtUp();
      await doseOn('P-137', '2026-02-03');
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-DURING-CRITICAL' })).items).toHaveLength(1);
      expect(lab).toBeDefined();
    });

    it('does not count an open DOSE-DURING-CRITICAL alert as a critical one: once the cause is acknowledged, the next dose is judged clean', async () => {
      const m = await monitor();
      await induction('P-138');
      await log.lab('P-138', 'PLAT', 20, '10*9/L', { collectedAt: '2026-01-10T08:00:00Z' });
      await m.caughtUp();
      await doseOn('P-138', '2026-01-20');
      await m.caughtUp();
      const [platelets] = (await m.list.find({ ruleId: 'TR-PLT' })).items;
      await m.streams.decide(
        { type: 'AcknowledgeAlert', alertId: platelets.alertId, by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: now.toISOString() },
        { userId: 'so-1', role: 'safety_officer', occurredAt: now.toISOString(), causationId: null },
      );
      await m.caughtUp();
      await doseOn('P-138', '2026-02-03');
      await m.caughtUp();
      expect((await m.list.find({ ruleId: 'DOSE-DURING-CRITICAL', status: 'open' })).items).toHaveLength(1);
    });
  });
});

describe('AlertEscalator', () => {
  it('escalates an open alert left unacknowledged past the delay, once, and never an acknowledged one', async () => {
    const store = await createSqliteEventStore({ file: ':memory:' });
    const log = new PatientLog(store);
    const m = await new Monitor(store, { escalation: { afterMs: 60_000, remindBeforeMs: 6 * 3_600_000 } }).start();
    await log.enrol('P-201', 'RA');
    const ignored = await log.lab('P-201', 'PLAT', 60, '10*9/L');
    const seen = await log.lab('P-201', 'PLAT', 50, '10*9/L');
    await m.caughtUp();
    const seenId = alertIdFor(seen.eventId, 'TR-PLT');
    await m.streams.decide(
      { type: 'AcknowledgeAlert', alertId: seenId, by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: new Date().toISOString() },
      { userId: 'so-1', role: 'safety_officer', occurredAt: new Date().toISOString(), causationId: null },
    );
    await m.caughtUp();

    expect(await m.escalator.escalateDue(new Date())).toBe(0); // not overdue yet
    const later = new Date(Date.now() + 61_000);
    expect(await m.escalator.escalateDue(later)).toBe(1);
    await m.caughtUp();
    expect(await m.escalator.escalateDue(later)).toBe(0);

    const escalated = await alertEvents(store, 'AlertEscalated');
    expect(escalated.map((e) => e.streamId)).toEqual([alertStream(alertIdFor(ignored.eventId, 'TR-PLT'))]);
    expect(escalated[0].metadata).toMatchObject({ userId: 'vigil:safety-rules', role: 'system', correlationId: ignored.metadata.correlationId });
    expect(await m.list.get(alertIdFor(ignored.eventId, 'TR-PLT'))).toMatchObject({ status: 'open', escalated: true });
    await m.stop();
    await store.close();
  });
});

/** The state's methods bound to it, to wrap one of them. */
function bind(state: AlertingState): AlertingState {
  return {
    position: () => state.position(),
    patient: (id) => state.patient(id),
    owners: (ids) => state.owners(ids),
    commit: (changes) => state.commit(changes),
    due: (nowMs) => state.due(nowMs),
    reset: () => state.reset(),
  };
}
