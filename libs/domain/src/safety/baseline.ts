import type { LabResultRecordedData } from '../events';
import { instantMs } from '../instant';
import type { PatientChart } from '../patient/patient-chart';
import type { Baseline } from './ctcae-grades';

/**
 * The patient's baseline for the test of `lab` (docs/safety-rules.md §2: the last value on or before Day 0):
 * the last value of that test collected on or before the first dose; with no dose yet, on or before the
 * result itself. A result is never its own baseline: graded against itself, every result would be grade 0
 * (with no other value there is no baseline, and increases are graded on the ULN).
 * Voided results are not baselines; corrected ones count with their corrected values.
 * "First" and "last" are in clinical-time order, ties by recording order.
 */
export function baselineFor(chart: PatientChart, lab: { eventId: string; data: LabResultRecordedData }): Baseline | null {
  const results = chart.labsOf(lab.data.test);
  const cutoff = baselineCutoff(chart, lab.data);
  let i = lastAtOrBefore(results, cutoff);
  while (i >= 0 && results[i].entry.eventId === lab.eventId) i--;
  if (i < 0) return null;
  const { normalised } = results[i].entry.current;
  return { value: normalised.value, ...(normalised.referenceRange ? { referenceRange: normalised.referenceRange } : {}) };
}

/** The clinical time (ms) a result's baseline is taken on or before: the first dose, else the result's own collection. */
export function baselineCutoff(chart: PatientChart, lab: LabResultRecordedData): number {
  return chart.firstDose()?.time ?? instantMs(lab.collectedAt);
}

/** Index of the last of `list` (ascending times) at or before `cutoff`; -1 when none is. */
function lastAtOrBefore(list: readonly { time: number }[], cutoff: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle].time <= cutoff) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
