import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertIdFor, alertStream, PatientNotFoundError, TRANSREG } from '@vigil/domain';
import { createSqliteEventStore, EventStore, StoredEvent } from '@vigil/event-store';
import { AlertEscalator } from '../alerts/alert-escalator';
import { AlertList } from '../alerts/alert-list';
import { AlertListProjection } from '../alerts/alert-list.projection';
import { AlertStreams } from '../alerts/alert-streams';
import type { ProjectionTransaction } from '../projection';
import { Projector } from '../projector';
import { ReadModelDatabase } from '../read-model-database';
import { ReadModelProgress } from '../read-model-progress';
import { SAFETY_READ_MODELS } from '../read-models.module';
import { PatientLog } from '../testing/patient-log';
import { PatientSafetySummaries } from './patient-safety-summaries';
import { readWatch, type PatientWatch } from './patient-watch';
import { SafetyProcess } from './safety-process.projection';

const PLATELETS_LOW = 79;

/** A projector, its read models and the queries on them, over one store. */
class Monitor {
  readonly streams: AlertStreams;
  readonly projector: Projector;
  readonly list: AlertList;
  readonly summaries: PatientSafetySummaries;
  private readonly progress: ReadModelProgress;

  constructor(
    private readonly store: EventStore,
    process?: (streams: AlertStreams) => SafetyProcess,
    readonly db = new ReadModelDatabase({ file: ':memory:' }),
  ) {
    this.list = new AlertList(db);
    this.summaries = new PatientSafetySummaries(db, this.list);
    this.streams = new AlertStreams(store);
    this.projector = new Projector(store, this.db, [process?.(this.streams) ?? new SafetyProcess(this.streams), new AlertListProjection()], {
      retryDelayMs: 5,
    });
    this.progress = new ReadModelProgress(store, this.db, SAFETY_READ_MODELS);
  }

  async start(): Promise<this> {
    await this.projector.start();
    return this;
  }

  async caughtUp(): Promise<void> {
    await this.progress.waitForPosition(await this.store.headPosition(), { timeoutMs: 5000 });
  }

  async stop({ keepDatabase = false } = {}): Promise<void> {
    await this.projector.stop();
    if (!keepDatabase) this.db.close();
  }
}

/** The safety process's watch of a patient as its first build stored it. */
function storedWatch(db: ReadModelDatabase, patientId: string): PatientWatch {
  const found = readWatch((sql) => db.statement(sql), { patients: 'safety_v3_b1_patients', records: 'safety_v3_b1_records' }, patientId);
  if (!found) throw new Error(`no watch of ${patientId}`);
  return found.watch;
}

async function alertEvents(store: EventStore, type?: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of store.readAll()) events.push(...batch.filter((e) => e.streamId.startsWith('alert-') && (!type || e.type === type)));
  return events;
}

describe('SafetyProcess', () => {
  let store: EventStore;
  let log: PatientLog;
  const monitors: Monitor[] = [];
  const monitor = async (process?: (streams: AlertStreams) => SafetyProcess) => {
    const m = new Monitor(store, process);
    monitors.push(m);
    return m.start();
  };

  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    log = new PatientLog(store);
  });

  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.stop();
    await store.close();
  });

  describe('platelets (TR-PLT, docs/safety-rules.md §1)', () => {
    it('raises one TR-PLT alert for 79 × 10⁹/L platelets in an RA patient, as the safety rules, caused by the lab result', async () => {
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

      const { items } = m.list.find();
      expect(items).toEqual([
        expect.objectContaining({
          alertId,
          patientId: 'P-101',
          siteId: 'PSL',
          ruleId: 'TR-PLT',
          status: 'open',
          escalated: false,
          triggeredBy: lab.eventId,
          value: 79,
          threshold: 80,
        }),
      ]);
    });

    it('raises nothing for exactly 80 × 10⁹/L (the threshold is strict)', async () => {
      const m = await monitor();
      await log.enrol('P-102', 'RA');
      await log.lab('P-102', 'PLAT', 80, '10*9/L');
      await log.lab('P-102', 'PLAT', 80_000, '/mm3');
      await m.caughtUp();
      expect(await alertEvents(store)).toEqual([]);
      expect(m.list.find().items).toEqual([]);
    });

    it('converts 79 000 /mm³ to 79 × 10⁹/L before judging, and shows both units on the alert', async () => {
      const m = await monitor();
      await log.enrol('P-103', 'RA');
      await log.lab('P-103', 'PLAT', 79_000, '/mm3');
      await m.caughtUp();
      expect(m.list.find().items).toEqual([
        expect.objectContaining({ ruleId: 'TR-PLT', value: 79_000, unit: '/mm3', normalisedValue: 79, normalisedUnit: '10*9/L' }),
      ]);
    });
  });

  describe('idempotency (docs/safety-rules.md §7: one result, one rule, one alert)', () => {
    it('still raises one alert when the same events are processed again by a rebuilt projector', async () => {
      const first = await monitor();
      await log.enrol('P-104', 'RA');
      await log.lab('P-104', 'PLAT', PLATELETS_LOW, '10*9/L');
      await first.caughtUp();

      const rebuilt = await monitor(); // fresh read models: every event is processed a second time
      await rebuilt.caughtUp();
      expect(await alertEvents(store, 'AlertRaised')).toHaveLength(1);
      expect(rebuilt.list.find().items).toHaveLength(1);
    });

    it('still raises one alert when a batch fails after the alert was appended and is run again', async () => {
      let failures = 0;
      class CrashingAfterAppend extends SafetyProcess {
        override apply(events: StoredEvent[], tx: ProjectionTransaction, watches: Parameters<SafetyProcess['apply']>[2]): void {
          if (failures++ === 0 && events.some((e) => e.type === 'LabResultRecorded')) throw new Error('crash before commit');
          super.apply(events, tx, watches);
        }
      }
      const m = await monitor((streams) => new CrashingAfterAppend(streams));
      await log.enrol('P-105', 'RA');
      const lab = await log.lab('P-105', 'PLAT', PLATELETS_LOW, '10*9/L');
      await m.caughtUp();
      expect(failures).toBeGreaterThan(1);
      const raised = await alertEvents(store, 'AlertRaised');
      expect(raised.map((e) => e.streamId)).toEqual([alertStream(alertIdFor(lab.eventId, 'TR-PLT'))]);
    });

    it('keeps judging from the persisted patient state after a restart, without refolding the stream', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-safety-'));
      const file = join(dir, 'projections.sqlite');
      const first = new Monitor(store, undefined, new ReadModelDatabase({ file }));
      await first.start();
      await log.enrol('P-106', 'AIH');
      await first.caughtUp();
      await first.stop(); // the process ends; its read models stay on disk

      const restarted = await new Monitor(store, undefined, new ReadModelDatabase({ file })).start();
      monitors.push(restarted);
      expect(restarted.projector.runners.map((r) => r.position)).toEqual([1, 1]);
      await log.lab('P-106', 'ALT', 240, 'U/L', { referenceRange: { high: 40 } });
      await restarted.caughtUp();
      // The disease (AIH) came from the persisted state: TR-ALT does not apply.
      expect(await alertEvents(store)).toEqual([]);
      expect(restarted.summaries.get('P-106').labs[0].notEvaluated).toEqual([{ ruleId: 'TR-ALT', reason: expect.stringContaining('AIH') }]);
      rmSync(dir, { recursive: true, force: true });
    });
    it('judges a correction from compacted records after a restart: a patient met in 40 batches keeps at most 32 record rows', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-safety-'));
      const file = join(dir, 'projections.sqlite');
      const first = new Monitor(store, undefined, new ReadModelDatabase({ file }));
      await first.start();
      await log.enrol('P-130', 'RA');
      const low = await log.lab('P-130', 'PLAT', 8, '10*9/L', { collectedAt: '2026-01-02T08:00:00Z' });
      await first.caughtUp();
      for (let day = 3; day <= 41; day++) {
        await log.lab('P-130', 'PLAT', 250, '10*9/L', { collectedAt: `2026-02-${String((day % 28) + 1).padStart(2, '0')}T08:00:00Z` });
        await first.caughtUp(); // one batch per result, as live
      }
      const rows = first.db.sql.prepare(`SELECT count(*) FROM safety_v3_b1_records WHERE patient_id = 'P-130'`).pluck().get() as number;
      expect(rows).toBeLessThanOrEqual(32);
      await first.stop();

      const restarted = await new Monitor(store, undefined, new ReadModelDatabase({ file })).start();
      monitors.push(restarted);
      await log.run('P-130', { type: 'CorrectLabResult', eventId: low.eventId, changes: { value: 80 }, reason: 'transcription error: 80 read as 8' });
      await restarted.caughtUp();
      expect(restarted.list.get(alertIdFor(low.eventId, 'TR-PLT'))?.status).toBe('retracted');
      expect(Object.keys(storedWatch(restarted.db, 'P-130').state.labs)).toHaveLength(40);
      expect(restarted.summaries.get('P-130').labs[0].latest).toMatchObject({ value: 250 });
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads the patient again after a batch that was rolled back: what it folded in memory is not kept', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-safety-'));
      const file = join(dir, 'projections.sqlite');
      let labsApplied = 0;
      class FailingOnceOnTheSecondResult extends SafetyProcess {
        override apply(events: StoredEvent[], tx: ProjectionTransaction, watches: Parameters<SafetyProcess['apply']>[2]): void {
          if (events.some((e) => e.type === 'LabResultRecorded') && ++labsApplied === 2) throw new Error('crash before commit');
          super.apply(events, tx, watches);
        }
      }
      const first = new Monitor(store, (streams) => new FailingOnceOnTheSecondResult(streams), new ReadModelDatabase({ file }));
      await first.start();
      await log.enrol('P-131', 'RA');
      for (const value of [250, 240, 230]) {
        await log.lab('P-131', 'PLAT', value, '10*9/L');
        await first.caughtUp();
      }
      expect(labsApplied).toBeGreaterThan(3); // the second result's batch failed once and ran again
      await first.stop();

      const restarted = await new Monitor(store, undefined, new ReadModelDatabase({ file })).start();
      monitors.push(restarted);
      await restarted.caughtUp();
      expect(Object.values(storedWatch(restarted.db, 'P-131').state.labs).map((lab) => lab.current.value)).toEqual([250, 240, 230]);
      expect(restarted.summaries.get('P-131').labs[0].latest).toMatchObject({ value: 230 });
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('transaminases (TR-ALT, not for AIH)', () => {
    it('raises TR-ALT for ALT at 6 × ULN in an RA patient, critical', async () => {
      const m = await monitor();
      await log.enrol('P-107', 'RA');
      await log.lab('P-107', 'ALT', 240, 'U/L', { referenceRange: { high: 40 } });
      await m.caughtUp();
      expect(m.list.find().items).toEqual([
        expect.objectContaining({ ruleId: 'TR-ALT', value: 240, unit: 'U/L', threshold: 5, thresholdUnit: '×ULN', severity: 'critical', grade: 3 }),
      ]);
    });

    it('raises nothing for the same ALT in an AIH patient', async () => {
      const m = await monitor();
      await log.enrol('P-108', 'AIH');
      await log.lab('P-108', 'ALT', 240, 'U/L', { referenceRange: { high: 40 } });
      await m.caughtUp();
      expect(await alertEvents(store)).toEqual([]);
    });
  });

  describe('renal function (TR-CRCL, not for SLE or GPA)', () => {
    // A woman born 1970, 60 kg, creatinine 1.5 mg/dL (132.6 µmol/L) in 2026: CrCl ≈ 39.7 mL/min.
    it('raises TR-CRCL when Cockcroft-Gault clearance falls below 60 mL/min in an RA patient', async () => {
      const m = await monitor();
      await log.enrol('P-109', 'RA');
      await log.lab('P-109', 'CREAT', 1.5, 'mg/dL');
      await m.caughtUp();
      const [alert] = m.list.find().items;
      expect(alert).toMatchObject({ ruleId: 'TR-CRCL', value: 1.5, unit: 'mg/dL', normalisedUnit: 'umol/L', threshold: 60, thresholdUnit: 'mL/min' });
      expect(alert.normalisedValue).toBeCloseTo(132.6, 1);
      expect(m.summaries.get('P-109').labs[0].crclMlMin).toBeCloseTo(39.7, 0);
    });

    it('raises nothing for the same creatinine in an SLE patient, nor for a normal creatinine in RA', async () => {
      const m = await monitor();
      await log.enrol('P-110', 'SLE');
      await log.lab('P-110', 'CREAT', 1.5, 'mg/dL');
      await log.enrol('P-111', 'RA');
      await log.lab('P-111', 'CREAT', 0.8, 'mg/dL');
      await m.caughtUp();
      expect(await alertEvents(store)).toEqual([]);
    });
  });

  describe('corrections (docs/safety-rules.md §7: retracted visibly, never deleted)', () => {
    it('retracts the alert of a platelet count corrected from 8 to 80, naming the correction and its reason', async () => {
      const m = await monitor();
      await log.enrol('P-112', 'RA');
      const lab = await log.lab('P-112', 'PLAT', 8, '10*9/L');
      await m.caughtUp();
      const alertId = alertIdFor(lab.eventId, 'TR-PLT');
      expect(m.list.get(alertId)?.status).toBe('open');

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
      expect(await alertEvents(store, 'AlertRaised')).toHaveLength(1);
      expect(m.list.get(alertId)).toMatchObject({
        status: 'retracted',
        retractedBy: correction.eventId,
        retractionReason: 'transcription error: 80 read as 8',
      });
      expect(m.summaries.get('P-112').openAlerts).toEqual([]);
    });

    it('raises a new alert, keyed by the correction, when a correction crosses a rule the original did not', async () => {
      const m = await monitor();
      await log.enrol('P-113', 'RA');
      const lab = await log.lab('P-113', 'PLAT', 80, '10*9/L');
      const [correction] = await log.run('P-113', { type: 'CorrectLabResult', eventId: lab.eventId, changes: { value: 8 }, reason: 'wrong sample' });
      await m.caughtUp();
      expect(m.list.find().items).toEqual([
        expect.objectContaining({ alertId: alertIdFor(correction.eventId, 'TR-PLT'), triggeredBy: correction.eventId, value: 8, status: 'open' }),
      ]);
    });

    it('keeps the one alert when a correction still crosses the same rule', async () => {
      const m = await monitor();
      await log.enrol('P-114', 'RA');
      const lab = await log.lab('P-114', 'PLAT', 8, '10*9/L');
      await log.run('P-114', { type: 'CorrectLabResult', eventId: lab.eventId, changes: { value: 50 }, reason: 'recount' });
      await m.caughtUp();
      expect((await alertEvents(store)).map((e) => e.type)).toEqual(['AlertRaised']);
    });

    it('retracts every alert of a result entered in error', async () => {
      const m = await monitor();
      await log.enrol('P-115', 'RA');
      const lab = await log.lab('P-115', 'PLAT', 8, '10*9/L');
      const [voided] = await log.run('P-115', { type: 'VoidLabResult', eventId: lab.eventId, reason: 'sample of another patient' });
      await m.caughtUp();
      expect(m.list.find().items).toEqual([
        expect.objectContaining({ status: 'retracted', retractedBy: voided.eventId, retractionReason: 'sample of another patient' }),
      ]);
    });
  });

  describe('doses and serious adverse events', () => {
    const doseOn = (patientId: string, day: string) =>
      log.run(patientId, { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: `${day}T09:00:00Z` });
    const lateMaintenance = async (patientId: string) => {
      await log.enrol(patientId, 'RA');
      for (const day of ['2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-10']) await doseOn(patientId, day);
      return doseOn(patientId, '2026-01-29'); // due 2026-01-25 (15 days after the last induction dose): 4 days late
    };

    it('flags a maintenance dose 4 days late as DOSE-WINDOW with the default window of ±2 days', async () => {
      const m = await monitor();
      const [late] = await lateMaintenance('P-130');
      await m.caughtUp();
      expect(m.list.find().items).toEqual([expect.objectContaining({ ruleId: 'DOSE-WINDOW', triggeredBy: late.eventId })]);
    });

    it('accepts the same dose when the deployment configures a maintenance window of ±5 days', async () => {
      const m = await monitor((streams) => new SafetyProcess(streams, undefined, { ...TRANSREG, maintenanceWindowDays: 5 }));
      await lateMaintenance('P-131');
      await m.caughtUp();
      expect(m.list.find().items).toEqual([]);
    });

    it('raises a DOSE-AMOUNT warning for a dose other than 1 MIU', async () => {
      const m = await monitor();
      await log.enrol('P-116', 'RA');
      const [dose] = await log.run('P-116', { type: 'RecordDose', dose: 2, unit: 'MIU', route: 'SC', administeredAt: '2026-01-06T09:00:00Z' });
      await m.caughtUp();
      expect(m.list.find().items).toEqual([
        expect.objectContaining({ ruleId: 'DOSE-AMOUNT', severity: 'warning', triggeredBy: dose.eventId, value: 2, unit: 'MIU' }),
      ]);
    });

    it('raises SAE-24H for a serious adverse event, due 24 hours after it was recorded, and retracts it when corrected to non-serious', async () => {
      const m = await monitor();
      await log.enrol('P-117', 'RA');
      const [ae] = await log.run('P-117', {
        type: 'ReportAdverseEvent',
        term: 'Pneumonia',
        onsetAt: '2026-02-10T00:00:00Z',
        grade: 3,
        serious: true,
        seriousnessCriteria: ['hospitalisation'],
      });
      await m.caughtUp();
      const deadline = new Date(Date.parse(ae.metadata.recordedAt) + 24 * 3_600_000).toISOString();
      const [alert] = m.list.find().items;
      expect(alert).toMatchObject({ ruleId: 'SAE-24H', severity: 'critical', deadline, triggeredBy: ae.eventId });
      expect(m.summaries.get('P-117').adverseEvents).toEqual([
        expect.objectContaining({ eventId: ae.eventId, serious: true, saeReportingDeadline: deadline, saeAlertId: alert.alertId }),
      ]);

      await log.run('P-117', {
        type: 'CorrectAdverseEvent',
        eventId: ae.eventId,
        changes: { serious: false, seriousnessCriteria: null },
        reason: 'outpatient visit, not admitted',
      });
      await m.caughtUp();
      expect(m.list.get(alert.alertId)?.status).toBe('retracted');
    });
  });

  describe('patient safety summary', () => {
    it('shows per test the latest value, grade, flags and baseline, and the open alerts', async () => {
      const m = await monitor();
      await log.enrol('P-118', 'RA');
      await log.lab('P-118', 'PLAT', 250, '10*9/L', { referenceRange: { low: 150, high: 400 }, collectedAt: '2026-01-05T08:00:00Z' });
      await log.run('P-118', { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2026-01-06T09:00:00Z' });
      const low = await log.lab('P-118', 'PLAT', 70, '10*9/L', { referenceRange: { low: 150, high: 400 }, collectedAt: '2026-02-02T08:00:00Z' });
      await m.caughtUp();

      const summary = m.summaries.get('P-118', new Date('2026-01-07T00:00:00Z'));
      expect(summary).toMatchObject({ patientId: 'P-118', siteId: 'PSL', disease: 'RA', asOf: '2026-01-07T00:00:00.000Z' });
      expect(summary.labs).toEqual([
        expect.objectContaining({
          test: 'PLAT',
          latest: expect.objectContaining({ eventId: low.eventId, value: 70, normalisedValue: 70, normalisedUnit: '10*9/L' }),
          grade: 2,
          flags: ['LOW', 'TR-PLT'],
          baseline: { value: 250, unit: '10*9/L', referenceRange: { low: 150, high: 400 } },
        }),
      ]);
      expect(summary.openAlerts.map((a) => a.ruleId)).toEqual(['TR-PLT']);
      expect(summary.doses.compliance).toMatchObject({ given: 1, expected: 2 });
    });

    it('does not know a patient who was never enrolled', async () => {
      const m = await monitor();
      await m.caughtUp();
      expect(() => m.summaries.get('P-999')).toThrow(PatientNotFoundError);
    });
  });
});

describe('AlertEscalator', () => {
  it('escalates an open alert left unacknowledged past the delay, once, and never an acknowledged one', async () => {
    const store = await createSqliteEventStore({ file: ':memory:' });
    const log = new PatientLog(store);
    const m = await new Monitor(store).start();
    await log.enrol('P-201', 'RA');
    const ignored = await log.lab('P-201', 'PLAT', 60, '10*9/L');
    const seen = await log.lab('P-201', 'PLAT', 50, '10*9/L');
    await m.caughtUp();
    const seenId = alertIdFor(seen.eventId, 'TR-PLT');
    await m.streams.decide(
      seenId,
      { type: 'AcknowledgeAlert', alertId: seenId, by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: new Date().toISOString() },
      { userId: 'so-1', role: 'safety_officer', occurredAt: new Date().toISOString(), causationId: null },
    );
    await m.caughtUp();

    const escalator = new AlertEscalator(m.list, m.streams, { afterMs: 60_000, checkEveryMs: 1000 });
    expect(await escalator.escalateOverdue(new Date())).toBe(0); // not overdue yet
    const later = new Date(Date.now() + 61_000);
    expect(await escalator.escalateOverdue(later)).toBe(1);
    await m.caughtUp();
    expect(await escalator.escalateOverdue(later)).toBe(0);

    const escalated = await alertEvents(store, 'AlertEscalated');
    expect(escalated.map((e) => e.streamId)).toEqual([alertStream(alertIdFor(ignored.eventId, 'TR-PLT'))]);
    expect(escalated[0].metadata).toMatchObject({ userId: 'vigil:safety-rules', role: 'system', correlationId: ignored.metadata.correlationId });
    expect(m.list.get(alertIdFor(ignored.eventId, 'TR-PLT'))).toMatchObject({ status: 'open', escalated: true });
    await m.stop();
    await store.close();
  });
});
