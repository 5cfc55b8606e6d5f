import type { LabResultRecordedData } from '../events';
import { activeDoses, activeLabs, type PatientState } from '../patient/patient-state';
import type { Baseline } from './ctcae-grades';

/**
 * The patient's baseline for the test of `lab` (safety-rules.md §2: the last value on or before Day 0):
 * the last value of that test collected on or before the first dose; with no dose yet, on or before the
 * result itself. A result is never its own baseline: graded against itself, every result would be grade 0
 * (with no other value, there is no baseline and increases are graded on the ULN).
 * Voided results are not baselines; corrected ones count with their corrected values.
 */
export function baselineFor(state: PatientState, lab: { eventId: string; data: LabResultRecordedData }): Baseline | null {
  const firstDose = activeDoses(state)[0];
  const cutoff = Date.parse(firstDose ? firstDose.current.administeredAt : lab.data.collectedAt);
  let best: LabResultRecordedData | null = null;
  // activeLabs is in collection order (ties by recording order): the last one on or before the cutoff wins.
  for (const entry of activeLabs(state)) {
    if (entry.eventId === lab.eventId || entry.current.test !== lab.data.test) continue;
    if (Date.parse(entry.current.collectedAt) <= cutoff) best = entry.current;
  }
  return best ? { value: best.normalised.value, referenceRange: best.normalised.referenceRange } : null;
}
