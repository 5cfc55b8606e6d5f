import type { AdverseEventReportedData, LabResultRecordedData } from '../events';
import { given, enrolment } from '../patient/patient-fixtures';
import { assessLabResult } from '../safety/assess-lab-result';
import { seriousAdverseEventAlert, labAlert } from './alert-for';
import { alertIdFor } from './alert-id';

describe('labAlert', () => {
  it('turns a rule hit into an alert keyed by the result and the rule, with reported and canonical values', () => {
    const { state } = given(enrolment(), { type: 'RecordLabResult', test: 'PLAT', value: 79000, unit: '/mm3', collectedAt: '2024-02-01T08:00:00Z' });
    const lab = { eventId: 'e2', data: state.labs.e2.current as LabResultRecordedData };
    const [hit] = assessLabResult(state, lab).ruleHits;
    expect(labAlert({ state, lab, hit, raisedAt: '2024-02-01T09:00:00Z' })).toEqual({
      alertId: alertIdFor('e2', 'TR-PLT'),
      ruleId: 'TR-PLT',
      patientId: 'P-001',
      siteId: 'PSL',
      triggeredBy: 'e2',
      value: 79000,
      unit: '/mm3',
      normalisedValue: 79,
      normalisedUnit: '10*9/L',
      threshold: 80,
      thresholdUnit: '10*9/L',
      grade: null,
      severity: 'warning',
      message: hit.message,
      raisedAt: '2024-02-01T09:00:00.000Z',
      deadline: '2024-02-02T09:00:00.000Z',
    });
  });
});

describe('seriousAdverseEventAlert', () => {
  const { state } = given(enrolment());
  const ae = (data: Partial<AdverseEventReportedData>) => ({
    eventId: 'ae-1',
    data: {
      patientId: 'P-001',
      term: 'pneumonia',
      onsetAt: '2024-02-01T00:00:00Z',
      grade: 3,
      serious: true,
      seriousnessCriteria: ['hospitalisation'],
      ...data,
    } as AdverseEventReportedData,
  });

  it('raises a critical SAE-24H alert due 24 hours after the event was known', () => {
    expect(seriousAdverseEventAlert({ state, ae: ae({}), knownAt: '2024-02-02T08:00:00Z', raisedAt: '2024-02-02T08:00:01Z' })).toMatchObject({
      alertId: alertIdFor('ae-1', 'SAE-24H'),
      ruleId: 'SAE-24H',
      severity: 'critical',
      grade: 3,
      deadline: '2024-02-03T08:00:00.000Z',
      value: null,
    });
  });

  it('raises nothing for a non-serious adverse event', () => {
    expect(
      seriousAdverseEventAlert({
        state,
        ae: ae({ serious: false, seriousnessCriteria: undefined }),
        knownAt: '2024-02-02T08:00:00Z',
        raisedAt: '2024-02-02T08:00:00Z',
      }),
    ).toBeNull();
  });
});
