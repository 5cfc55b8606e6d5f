import type { AdverseEventReportedData, PatientEvent } from '../events';
import { decide } from '../patient/decide';
import { evolve } from '../patient/evolve';
import { PatientChart } from '../patient/patient-chart';
import { initialPatientState, type PatientState } from '../patient/patient-state';
import { enrolment, NOW } from '../patient/patient-fixtures';
import { safetyFactsOf } from './safety-summary';

/** A patient (RA unless said) with these events after enrolment; event ids e1 (enrolment), e2, … */
function patient(events: PatientEvent[], disease = 'RA'): PatientState {
  const [enrolled] = decide(enrolment({ disease }), initialPatientState, { now: NOW });
  return [enrolled, ...events].reduce((s, event, i) => evolve(s, { eventId: `e${i + 1}`, event }), initialPatientState);
}
const facts = (state: PatientState, asOf: string) => safetyFactsOf(state, PatientChart.of(state), new Date(asOf));

const dose = (day: string): PatientEvent => ({
  type: 'DoseAdministered',
  version: 1,
  data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: `${day}T09:00:00.000Z` },
});
const lab = (test: string, value: number, unit: string, collectedAt: string, high?: number): PatientEvent =>
  ({
    type: 'LabResultRecorded',
    version: 2,
    data: {
      patientId: 'P-001',
      test,
      value,
      unit,
      collectedAt,
      ...(high !== undefined ? { referenceRange: { high } } : {}),
      normalised: { value, unit, ...(high !== undefined ? { referenceRange: { high } } : {}) },
    },
  }) as PatientEvent;
const adverseEvent = (data: Partial<AdverseEventReportedData>): PatientEvent => ({
  type: 'AdverseEventReported',
  version: 1,
  data: { patientId: 'P-001', term: 'Pneumonia', onsetAt: '2024-01-20T08:00:00.000Z', grade: 3, serious: false, ...data },
});
const INDUCTION = ['2024-01-11', '2024-01-12', '2024-01-13', '2024-01-14', '2024-01-15'].map(dose);

describe("a patient's safety facts (GET /patients/:patientId/safety), docs/safety-rules.md", () => {
  it('grades the latest value of each test and flags it against its range and the protocol thresholds', () => {
    const state = patient([...INDUCTION, lab('PLAT', 250, '10*9/L', '2024-01-10T08:00:00Z'), lab('PLAT', 72, '10*9/L', '2024-01-22T08:00:00Z')]);
    const [platelets] = facts(state, '2024-01-23T00:00:00Z').labs;
    expect(platelets).toMatchObject({ test: 'PLAT', latest: { value: 72, normalisedValue: 72 }, grade: 2, baseline: { value: 250 } });
    expect(platelets.flags).toContain('TR-PLT');
  });

  it('says a rule the disease is exempt from was not judged, and why (ALT in autoimmune hepatitis)', () => {
    const state = patient([...INDUCTION, lab('ALT', 240, 'U/L', '2024-01-22T08:00:00Z', 40)], 'AIH');
    const [alt] = facts(state, '2024-01-23T00:00:00Z').labs;
    expect(alt.flags).not.toContain('TR-ALT');
    expect(alt.notEvaluated).toEqual([expect.objectContaining({ ruleId: 'TR-ALT' })]);
    expect(alt.grade).toBe(3);
  });

  it('counts doses against the fixed grid and lists a missed one once its window closed', () => {
    const state = patient(INDUCTION);
    expect(facts(state, '2024-01-27T23:00:00Z').doses.missed).toEqual([]);
    const later = facts(state, '2024-01-28T01:00:00Z').doses;
    expect(later.missed.map((m) => m.dueAt)).toEqual(['2024-01-25T00:00:00.000Z']);
    expect(later.compliance).toMatchObject({ given: 5 });
  });

  it('gives a serious adverse event its 24-hour clock from awareness, and shows the report to the sponsor', () => {
    const state = patient([
      ...INDUCTION,
      adverseEvent({ serious: true, seriousnessCriteria: ['hospitalisation'], awareAt: '2024-01-21T10:00:00.000Z' }),
      { type: 'SponsorReportRecorded', version: 1, data: { patientId: 'P-001', adverseEventId: 'e7', reportedAt: '2024-01-21T18:00:00.000Z' } },
    ]);
    expect(facts(state, '2024-01-22T00:00:00Z').adverseEvents).toEqual([
      expect.objectContaining({ eventId: 'e7', saeReportingDeadline: '2024-01-22T10:00:00.000Z', sponsorReportedAt: '2024-01-21T18:00:00.000Z' }),
    ]);
  });

  it("shows the sponsor's assessment and, for a SUSAR, its clock and the report to the regulator", () => {
    const state = patient([
      ...INDUCTION,
      adverseEvent({ serious: true, seriousnessCriteria: ['life-threatening'], grade: 4, relatedness: 'probable', awareAt: '2024-01-20T10:00:00.000Z' }),
      { type: 'SponsorReportRecorded', version: 1, data: { patientId: 'P-001', adverseEventId: 'e7', reportedAt: '2024-01-20T18:00:00.000Z' } },
      {
        type: 'AdverseEventAssessed',
        version: 1,
        data: { patientId: 'P-001', adverseEventId: 'e7', expected: false, causality: 'probable', assessedAt: '2024-01-21T09:00:00.000Z' },
      },
      { type: 'RegulatoryReportRecorded', version: 1, data: { patientId: 'P-001', adverseEventId: 'e7', reportedAt: '2024-01-24T09:00:00.000Z' } },
    ]);
    const [event] = facts(state, '2024-01-25T00:00:00Z').adverseEvents;
    expect(event.assessment).toEqual({ expected: false, causality: 'probable', assessedAt: '2024-01-21T09:00:00.000Z' });
    expect(event.susar).toEqual({ ruleId: 'SUSAR-7D', deadline: '2024-01-27T23:59:59.999Z', regulatoryReportedAt: '2024-01-24T09:00:00.000Z' });
  });

  it('reckons the treatment status at the moment asked: on treatment before a suspension, suspended after, with its reason', () => {
    const state = patient([
      ...INDUCTION,
      {
        type: 'TreatmentStatusChanged',
        version: 1,
        data: { patientId: 'P-001', status: 'suspended', effectiveAt: '2024-02-01T00:00:00.000Z', reason: 'Zoster' },
      },
    ]);
    expect(facts(state, '2024-01-31T00:00:00Z').treatment).toEqual({ status: 'on-treatment' });
    expect(facts(state, '2024-02-02T00:00:00Z').treatment).toEqual({
      status: 'suspended',
      since: '2024-02-01T00:00:00.000Z',
      effectiveAt: '2024-02-01T00:00:00.000Z',
      reason: 'Zoster',
    });
    expect(facts(state, '2024-03-01T00:00:00Z').doses.missed.map((m) => m.dueAt)).toEqual(['2024-01-25T00:00:00.000Z']);
  });

  it('ends the treatment after a fatal adverse event', () => {
    const state = patient([...INDUCTION, adverseEvent({ serious: true, seriousnessCriteria: ['death'], grade: 5, outcome: 'fatal' })]);
    expect(facts(state, '2024-01-25T00:00:00Z').treatment).toEqual({ status: 'ended', reason: 'a fatal adverse event' });
  });
});
