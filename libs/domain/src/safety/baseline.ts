import type { LabResultRecordedData, LabTestCode } from '../events';
import type { DoseEntry, LabEntry, PatientState } from '../patient/patient-state';
import { clinicalOrder, clinicalTimeMs } from '../patient/clinical-order';
import { journalOf, recordsOf, type RecordJournal } from '../patient/record-journal';
import type { Baseline } from './ctcae-grades';

/**
 * The patient's baseline for the test of `lab` (docs/safety-rules.md §2: the last value on or before Day 0):
 * the last value of that test collected on or before the first dose; with no dose yet, on or before the
 * result itself. A result is never its own baseline: graded against itself, every result would be grade 0
 * (with no other value, there is no baseline and increases are graded on the ULN).
 * Voided results are not baselines; corrected ones count with their corrected values.
 * "First" and "last" are in clinical-time order, ties by recording order. One pass over the records:
 * to grade every result of a patient, `labBaselines` finds them all in O(n log n).
 */
export function baselineFor(state: PatientState, lab: { eventId: string; data: LabResultRecordedData }): Baseline | null {
  const known = candidatesOf(state);
  if (known) {
    const candidates = known.get(lab.data.test);
    const best = candidates?.[0]?.entry.eventId === lab.eventId ? candidates[1] : candidates?.[0];
    return best ? baselineOf(best.entry.current) : null;
  }
  return scannedBaseline(state, lab);
}

/** `baselineFor` by reading every record of the state: O(n) for n records. */
function scannedBaseline(state: PatientState, lab: { eventId: string; data: LabResultRecordedData }): Baseline | null {
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

/** A result on or before the first dose, with its time. */
interface Candidate {
  entry: LabEntry;
  time: number;
}

/**
 * What `baselineFor` needs of the states of one line (one record journal), kept up to date as the line
 * grows, so that grading each new result does not read every earlier one again (that was quadratic in
 * a patient's results). Once the patient has a dose, the cutoff is the first dose for every result; per
 * test, the two last results on or before it (in clinical order, ties by recording order) answer for
 * any result: the last, unless it is the result itself, else the one before.
 */
interface BaselineIndex {
  /** The journal version (the state's version) the index stands at. */
  version: number;
  /** The first dose not voided: the cutoff. */
  firstDose: { time: number; seq: number };
  /** Per test, the last two results not voided on or before the cutoff, last first. */
  byTest: Map<LabTestCode, Candidate[]>;
}

/** Per journal: its index, or null where it does not apply (no dose yet, or a time that is not one). */
const indexes = new WeakMap<RecordJournal, BaselineIndex | null>();

/**
 * The candidates of `state` per test when the index answers for it: the state reads a journal, has a
 * dose, and is not older than what the index has seen. Else undefined, and `baselineFor` reads every record.
 */
function candidatesOf(state: PatientState): Map<LabTestCode, Candidate[]> | undefined {
  const journal = journalOf(state);
  if (!journal) return undefined;
  const index = indexes.get(journal);
  if (index && state.version < index.version) return undefined; // an older state of the line: read as it is
  const current = !index ? built(journal, state.version) : index.version < state.version ? advanced(journal, index, state.version) : index;
  indexes.set(journal, current);
  return current?.byTest;
}

/** The index of the journal as of `version`, from all its records; null when it does not apply. */
function built(journal: RecordJournal, version: number): BaselineIndex | null {
  let first: { time: number; seq: number } | null = null;
  for (const dose of journal.entriesAt('doses', version)) {
    if (dose.voided) continue;
    const time = clinicalTimeMs('doses', dose.current);
    if (Number.isNaN(time)) return null; // firstActiveDose orders a time that is not one its own way: leave it to the scan
    if (first === null || time < first.time || (time === first.time && dose.recordedSeq < first.seq)) first = { time, seq: dose.recordedSeq };
  }
  if (first === null) return null;
  const index: BaselineIndex = { version, firstDose: first, byTest: new Map() };
  for (const lab of journal.entriesAt('labs', version)) if (!lab.voided) admit(index, lab);
  return index;
}

/**
 * The index moved on to `version` by the records written since: a new result is admitted; a new dose
 * after the first changes nothing; anything else (an earlier first dose, a correction, a void) rebuilds it.
 */
function advanced(journal: RecordJournal, index: BaselineIndex, version: number): BaselineIndex | null {
  for (let v = index.version + 1; v <= version; v++) {
    const written = journal.writtenAt(v);
    if (written === undefined || written.kind === 'adverseEvents') continue;
    if (journal.entryAt(written.kind, written.id, v - 1) !== undefined) return built(journal, version); // a correction or a void
    if (written.kind === 'doses') {
      const dose = journal.entryAt('doses', written.id, v) as DoseEntry;
      const time = clinicalTimeMs('doses', dose.current);
      const { firstDose } = index;
      if (!(time > firstDose.time || (time === firstDose.time && dose.recordedSeq > firstDose.seq))) return built(journal, version);
      continue;
    }
    admit(index, journal.entryAt('labs', written.id, v) as LabEntry);
  }
  index.version = version;
  return index;
}

/** Takes a result not voided among its test's last two on or before the cutoff, if it is one of them. */
function admit(index: BaselineIndex, lab: LabEntry): void {
  const time = clinicalTimeMs('labs', lab.current);
  if (!(time <= index.firstDose.time)) return;
  let candidates = index.byTest.get(lab.current.test);
  if (!candidates) index.byTest.set(lab.current.test, (candidates = []));
  const later = (c: Candidate) => c.time > time || (c.time === time && c.entry.recordedSeq > lab.recordedSeq);
  const at = candidates.findIndex((c) => !later(c));
  if (at === -1) {
    if (candidates.length < 2) candidates.push({ entry: lab, time });
    return;
  }
  candidates.splice(at, 0, { entry: lab, time });
  if (candidates.length > 2) candidates.pop();
}
