import type { LabResultRecordedData, LabTestCode } from '../events';
import type { DoseEntry, LabEntry, PatientState } from '../patient/patient-state';
import { clinicalOrder, clinicalTimeMs } from '../patient/clinical-order';
import { recordsOf } from '../patient/record-journal';
import type { Baseline } from './ctcae-grades';

/**
 * The patient's baseline for the test of `lab` (safety-rules.md §2: the last value on or before Day 0):
 * the last value of that test collected on or before the first dose; with no dose yet, on or before the
 * result itself. A result is never its own baseline: graded against itself, every result would be grade 0
 * (with no other value, there is no baseline and increases are graded on the ULN).
 * Voided results are not baselines; corrected ones count with their corrected values.
 * "First" and "last" are in clinical-time order, ties by recording order. One pass over the records:
 * to grade every result of a patient, `labBaselines` finds them all in O(n log n).
 */
export function baselineFor(state: PatientState, lab: { eventId: string; data: LabResultRecordedData }): Baseline | null {
  const firstDose = firstActiveDose(recordsOf(state, 'doses'));
  const cutoff = firstDose ? firstDose.time : clinicalTimeMs('labs', lab.data);
  let best: LabEntry | null = null;
  let bestTime = 0;
  for (const entry of recordsOf(state, 'labs')) {
    if (entry.voided || entry.eventId === lab.eventId || entry.current.test !== lab.data.test) continue;
    const time = clinicalTimeMs('labs', entry.current);
    if (!(time <= cutoff)) continue;
    // The last in clinical order: a later time, or the same time recorded later (or as late) wins.
    if (best === null || time > bestTime || (time === bestTime && entry.recordedSeq >= best.recordedSeq)) {
      best = entry;
      bestTime = time;
    }
  }
  return best ? baselineOf(best.current) : null;
}

/** The baselines of a patient's results, found by binary search in each test's results sorted once. */
export interface LabBaselines {
  for(lab: { eventId: string; data: LabResultRecordedData }): Baseline | null;
}

/** Every result's baseline at once, as `baselineFor` finds it for one: O(n log n) for the patient's n results. */
export function labBaselines(state: PatientState): LabBaselines {
  const doses = clinicalOrder(state, 'doses');
  const firstDose = doses.entries.findIndex((dose) => !dose.voided);
  const doseCutoff = firstDose < 0 ? null : doses.times[firstDose];
  // Each test's results not voided, in clinical order (a result without a valid time is never on or before a cutoff).
  const byTest = new Map<LabTestCode, { entries: LabEntry[]; times: number[] }>();
  const labs = clinicalOrder(state, 'labs');
  labs.entries.forEach((entry, i) => {
    const time = labs.times[i];
    if (entry.voided || Number.isNaN(time)) return;
    let test = byTest.get(entry.current.test);
    if (!test) byTest.set(entry.current.test, (test = { entries: [], times: [] }));
    test.entries.push(entry);
    test.times.push(time);
  });
  return {
    for(lab) {
      const test = byTest.get(lab.data.test);
      if (!test) return null;
      const cutoff = doseCutoff ?? clinicalTimeMs('labs', lab.data);
      let i = lastAtOrBefore(test.times, cutoff);
      while (i >= 0 && test.entries[i].eventId === lab.eventId) i--;
      return i >= 0 ? baselineOf(test.entries[i].current) : null;
    },
  };
}

const baselineOf = (data: LabResultRecordedData): Baseline => ({ value: data.normalised.value, referenceRange: data.normalised.referenceRange });

/** The first dose not voided in clinical-time order (ties by recording order), with its time. */
function firstActiveDose(entries: readonly DoseEntry[]): { entry: DoseEntry; time: number } | null {
  let first: { entry: DoseEntry; time: number } | null = null;
  for (const entry of entries) {
    if (entry.voided) continue;
    const time = clinicalTimeMs('doses', entry.current);
    if (first === null || (time - first.time || entry.recordedSeq - first.entry.recordedSeq) < 0) first = { entry, time };
  }
  return first;
}

/** Index of the last of ascending `times` at or before `cutoff`; -1 when none is. */
function lastAtOrBefore(times: readonly number[], cutoff: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle] <= cutoff) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
