import type { LabResultRecordedData } from '../events';
import { enrolment, given } from '../patient/patient-fixtures';
import { assessLabResult } from '../safety/assess-lab-result';
import { ruleHitChanges } from './rule-hit-changes';

describe('ruleHitChanges', () => {
  const { state } = given(
    enrolment(),
    { type: 'RecordLabResult', test: 'PLAT', value: 79000, unit: '/mm3', collectedAt: '2024-02-01T08:00:00Z' }, // e2
    { type: 'CorrectLabResult', eventId: 'e2', changes: { value: 179000 }, reason: 'transcription error' }, // e3
  );
  const original = { eventId: 'e2', data: state.labs.e2.original as LabResultRecordedData };
  const corrected = { eventId: 'e2', data: state.labs.e2.current as LabResultRecordedData };

  it('clears the platelet rule when a correction lifts the count above 80 × 10⁹/L', () => {
    const changes = ruleHitChanges(assessLabResult(state, original).ruleHits, assessLabResult(state, corrected).ruleHits);
    expect(changes.cleared.map((h) => h.ruleId)).toEqual(['TR-PLT']);
    expect(changes.added).toEqual([]);
    expect(changes.kept).toEqual([]);
  });

  it('adds the rule when a correction brings the count below the threshold', () => {
    const changes = ruleHitChanges(assessLabResult(state, corrected).ruleHits, assessLabResult(state, original).ruleHits);
    expect(changes.added.map((h) => h.ruleId)).toEqual(['TR-PLT']);
  });

  it('keeps a rule crossed before and after, and clears everything on a void', () => {
    const hits = assessLabResult(state, original).ruleHits;
    expect(ruleHitChanges(hits, hits).kept.map((h) => h.ruleId)).toEqual(['TR-PLT']);
    expect(ruleHitChanges(hits, []).cleared.map((h) => h.ruleId)).toEqual(['TR-PLT']);
  });
});
