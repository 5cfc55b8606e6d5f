import { TRANSREG, type AlertRaisedData, type LabResultRecordedData } from '@vigil/domain';
import { TrialFold } from '../log/trial-fold';
import { TrialLog } from '../testing/trial-log';
import { safetyReport, SafetyReportCache } from './safety-report';

const DAY0 = Date.parse('2026-01-05T08:00:00.000Z');
const at = (day: number, hours = 0) => new Date(DAY0 + day * 86_400_000 + hours * 3_600_000).toISOString();

function lab(patientId: string, test: 'PLAT' | 'LYM', value: number, day: number): LabResultRecordedData {
  const referenceRange = test === 'PLAT' ? { low: 150, high: 400 } : { low: 1, high: 4 };
  return { patientId, test, value, unit: '10*9/L', referenceRange, collectedAt: at(day), normalised: { value, unit: '10*9/L', referenceRange } };
}

function raised(alertId: string, ruleId: string, patientId: string, siteId: string, raisedAt: string): AlertRaisedData {
  return {
    alertId,
    ruleId,
    patientId,
    siteId,
    triggeredBy: 'x',
    value: null,
    unit: null,
    normalisedValue: null,
    normalisedUnit: null,
    threshold: null,
    thresholdUnit: null,
    grade: null,
    severity: 'warning',
    message: ruleId,
    raisedAt,
  };
}

/**
 * Two patients: A (RA, SAT) with platelets falling to 72 on Day 8 (CTCAE grade 2, TR-PLT), a result of 45 voided,
 * fevers of grade 1 and 2 and a serious pneumonia reported late to the sponsor; B (AIH, PSL) with normal platelets
 * and a lymphocyte alert retracted. A correction of A's 72 to 90 is recorded on Day 30.
 */
function trial(): { log: TrialLog; beforeCorrection: string; afterCorrection: string } {
  const log = new TrialLog();
  const enrol = (patientId: string, siteId: string, disease: 'RA' | 'AIH') =>
    log.patient(
      patientId,
      {
        type: 'PatientEnrolled',
        version: 1,
        data: { patientId, trialId: 'TRANSREG', siteId, disease, sex: 'F', birthYear: 1970, weightKg: 60, enrolledAt: at(0) },
      },
      at(0),
    );
  const dose = (patientId: string, day: number) =>
    log.patient(
      patientId,
      { type: 'DoseAdministered', version: 1, data: { patientId, dose: 1, unit: 'MIU', route: 'SC', administeredAt: at(day) } },
      at(day, 1),
    );
  enrol('A', 'SAT', 'RA');
  enrol('B', 'PSL', 'AIH');
  log.patient('A', { type: 'LabResultRecorded', version: 2, data: lab('A', 'PLAT', 250, 0) }, at(0, 1));
  log.patient('B', { type: 'LabResultRecorded', version: 2, data: lab('B', 'PLAT', 260, 0) }, at(0, 1));
  for (const day of [1, 2, 3, 4, 5]) dose('A', day);
  dose('B', 1);
  const fever = (patientId: string, grade: number, day: number) =>
    log.patient(
      patientId,
      { type: 'AdverseEventReported', version: 1, data: { patientId, term: 'Fever', onsetAt: at(day), grade, serious: false } },
      at(day, 2),
    );
  fever('A', 1, 3);
  fever('A', 2, 9);
  fever('B', 1, 4);
  const low = log.patient('A', { type: 'LabResultRecorded', version: 2, data: lab('A', 'PLAT', 72, 8) }, at(8, 1));
  log.alert('plt-A', { type: 'AlertRaised', version: 1, data: raised('plt-A', 'TR-PLT', 'A', 'SAT', at(8, 1)) }, at(8, 1));
  log.alert(
    'plt-A',
    { type: 'AlertAcknowledged', version: 1, data: { alertId: 'plt-A', by: { userId: 'so', role: 'safety_officer' }, acknowledgedAt: at(8, 5) } },
    at(8, 5),
  );
  const voided = log.patient('A', { type: 'LabResultRecorded', version: 2, data: lab('A', 'PLAT', 45, 15) }, at(15, 1));
  log.patient(
    'A',
    {
      type: 'LabResultEnteredInError',
      version: 1,
      data: { patientId: 'A', originalEventId: voided, oldValues: lab('A', 'PLAT', 45, 15), reason: 'Wrong patient' },
    },
    at(16),
  );
  log.patient('B', { type: 'LabResultRecorded', version: 2, data: lab('B', 'PLAT', 200, 8) }, at(8, 1));
  log.alert('lym-B', { type: 'AlertRaised', version: 1, data: raised('lym-B', 'TR-LYM', 'B', 'PSL', at(9)) }, at(9));
  log.alert('open-B', { type: 'AlertRaised', version: 1, data: raised('open-B', 'CTCAE-LAB', 'B', 'PSL', at(9)) }, at(9));
  log.alert(
    'lym-B',
    { type: 'AlertRetracted', version: 1, data: { alertId: 'lym-B', correctionEventId: 'c', reason: 'corrected', retractedAt: at(10) } },
    at(10),
  );
  const sae = log.patient(
    'A',
    {
      type: 'AdverseEventReported',
      version: 1,
      data: { patientId: 'A', term: 'Pneumonia', onsetAt: at(10), awareAt: at(10, 2), grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] },
    },
    at(10, 3),
  );
  log.patient('A', { type: 'SponsorReportRecorded', version: 1, data: { patientId: 'A', adverseEventId: sae, reportedAt: at(12) } }, at(12));
  const beforeCorrection = at(20);
  log.patient(
    'A',
    {
      type: 'LabResultCorrected',
      version: 1,
      data: {
        patientId: 'A',
        originalEventId: low,
        oldValues: lab('A', 'PLAT', 72, 8),
        newValues: lab('A', 'PLAT', 90, 8),
        changedFields: ['value'],
        reason: 'typo',
      },
    },
    at(30),
  );
  return { log, beforeCorrection, afterCorrection: at(31) };
}

const fold = (log: TrialLog, asOf: string, labs: 'compact' | 'full' = 'compact') => {
  const trialFold = new TrialFold({ labs, asOfMs: Date.parse(asOf) });
  for (const event of log.events) trialFold.apply(event);
  return trialFold;
};

describe('The trial safety report', () => {
  const { log, beforeCorrection, afterCorrection } = trial();
  const report = safetyReport(fold(log, beforeCorrection), { asOf: beforeCorrection });

  it('counts each patient once per adverse event term, at their worst grade, with the events of that grade', () => {
    expect(report.adverseEvents.byTerm).toEqual([
      { term: 'Fever', disease: 'AIH', worstGrade: 1, patients: 1, events: 1 },
      { term: 'Fever', disease: 'RA', worstGrade: 2, patients: 1, events: 1 },
      { term: 'Pneumonia', disease: 'RA', worstGrade: 3, patients: 1, events: 1 },
    ]);
  });

  it('lists the serious adverse event with its 24-hour clock, reported late', () => {
    expect(report.adverseEvents.serious).toHaveLength(1);
    expect(report.adverseEvents.serious[0]).toMatchObject({ patientId: 'A', term: 'Pneumonia', grade: 3 });
    expect(report.adverseEvents.serious[0].clocks).toEqual([{ ruleId: 'SAE-24H', deadline: at(11, 2), reportedAt: at(12), late: true, overdue: false }]);
    expect(report.adverseEvents.deaths).toEqual([]);
  });

  it('shifts platelets from a normal baseline to grade 2 (72 × 10⁹/L), leaving the voided 45 out', () => {
    expect(report.labShifts).toEqual([
      {
        test: 'PLAT',
        patients: 2,
        cells: [
          { baselineGrade: 0, worstGrade: 0, patients: 1 },
          { baselineGrade: 0, worstGrade: 2, patients: 1 },
        ],
      },
    ]);
  });

  it('counts alerts by rule and severity with the time to acknowledgement, and lists the open one', () => {
    expect(report.alerts.byRule.find((line) => line.ruleId === 'TR-PLT')).toEqual({
      ruleId: 'TR-PLT',
      severity: 'warning',
      raised: 1,
      open: 0,
      acknowledged: 1,
      retracted: 0,
      closed: 0,
      medianHoursToAcknowledge: 4,
      maxHoursToAcknowledge: 4,
    });
    expect(report.alerts.byRule.find((line) => line.ruleId === 'TR-LYM')).toMatchObject({ retracted: 1, medianHoursToAcknowledge: null });
    expect(report.alerts.open.map((alert) => alert.alertId)).toEqual(['open-B']);
  });

  it('gives the median and the longest time to acknowledgement of a rule apart: 1, 2 and 10 hours give 2 and 10', () => {
    const { log: withAcks } = trial();
    for (const [n, hours] of [1, 2, 10].entries()) {
      const alertId = `missed-${n}`;
      withAcks.alert(alertId, { type: 'AlertRaised', version: 1, data: raised(alertId, 'DOSE-MISSED', 'A', 'SAT', at(17)) }, at(17));
      withAcks.alert(
        alertId,
        { type: 'AlertAcknowledged', version: 1, data: { alertId, by: { userId: 'so', role: 'safety_officer' }, acknowledgedAt: at(17, hours) } },
        at(17, hours),
      );
    }
    const lines = safetyReport(fold(withAcks, beforeCorrection), { asOf: beforeCorrection }).alerts.byRule;
    expect(lines.find((line) => line.ruleId === 'DOSE-MISSED')).toMatchObject({ acknowledged: 3, medianHoursToAcknowledge: 2, maxHoursToAcknowledge: 10 });
  });

  it('names per disease the patients who crossed a protocol threshold (a retracted alert does not count)', () => {
    expect(report.thresholds).toEqual([
      { disease: 'RA', patients: 1, crossed: 1, patientIds: ['A'] },
      { disease: 'AIH', patients: 1, crossed: 0, patientIds: [] },
    ]);
  });

  it('counts exposure: enrolled, on treatment, doses given against the doses due', () => {
    expect(report.exposure).toMatchObject({ enrolled: 2, onTreatment: 2, suspended: 0, stopped: [], dosesGiven: 6 });
    expect(report.exposure.dosesDue).toBeGreaterThanOrEqual(6);
  });

  it("counts doses against the deployment's maintenance window, as the alerting reactor does", () => {
    // A's and B's maintenance dose is due on Day 15 (docs/protocol.md): at Day 20 a ± 2-day window has closed, a ± 10-day one has not.
    const missed = (r: typeof report) => r.exposure.deviations.find((line) => line.ruleId === 'DOSE-MISSED')?.count ?? 0;
    const wide = safetyReport(fold(log, beforeCorrection), { asOf: beforeCorrection }, { dosing: { protocol: { ...TRANSREG, maintenanceWindowDays: 10 } } });
    expect(missed(wide)).toBe(missed(report) - 2);
  });

  it('shows a correction only in a report as of a moment after it was recorded', () => {
    expect(safetyReport(fold(log, beforeCorrection), { asOf: beforeCorrection })).toEqual(report);
    const after = safetyReport(fold(log, afterCorrection), { asOf: afterCorrection });
    // 90 × 10⁹/L is below the lab's lower limit (150) but above 75: grade 1.
    expect(after.labShifts[0].cells).toContainEqual({ baselineGrade: 0, worstGrade: 1, patients: 1 });
    expect(after.position).toBeGreaterThan(report.position);
  });

  it('narrows to a disease or a site', () => {
    const aih = safetyReport(fold(log, beforeCorrection), { asOf: beforeCorrection, disease: 'AIH' });
    expect(aih.exposure.enrolled).toBe(1);
    expect(aih.adverseEvents.serious).toEqual([]);
    const sat = safetyReport(fold(log, beforeCorrection), { asOf: beforeCorrection, siteId: 'SAT' });
    expect(sat.thresholds).toEqual([{ disease: 'RA', patients: 1, crossed: 1, patientIds: ['A'] }]);
  });

  it('is the same from the compact fold as from the fold that keeps whole records', () => {
    for (const asOf of [beforeCorrection, afterCorrection]) {
      expect(safetyReport(fold(log, asOf, 'compact'), { asOf })).toEqual(safetyReport(fold(log, asOf, 'full'), { asOf }));
    }
  });

  it('is the same with a cache of per-patient facts, which follows the fold as it takes in later events', () => {
    const live = new TrialFold({ labs: 'compact' });
    const cache = new SafetyReportCache();
    const correction = log.events.findIndex((event) => event.type === 'LabResultCorrected');
    for (const event of log.events.slice(0, correction)) live.apply(event);
    expect(safetyReport(live, { asOf: afterCorrection }, { cache })).toEqual(safetyReport(live, { asOf: afterCorrection }));
    expect(safetyReport(live, { asOf: afterCorrection }, { cache }).labShifts[0].cells).toContainEqual({ baselineGrade: 0, worstGrade: 2, patients: 1 });
    for (const event of log.events.slice(correction)) live.apply(event);
    const corrected = safetyReport(live, { asOf: afterCorrection }, { cache });
    expect(corrected).toEqual(safetyReport(fold(log, afterCorrection), { asOf: afterCorrection }));
    expect(corrected.labShifts[0].cells).toContainEqual({ baselineGrade: 0, worstGrade: 1, patients: 1 });
  });
});
