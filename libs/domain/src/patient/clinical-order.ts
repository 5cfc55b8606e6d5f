import { instantMs } from '../instant';
import type { RecordedEntry, PatientState } from './patient-state';
import { journalOf, recordsOf, type RecordData, type RecordKind } from './record-journal';

/** A kind of record in clinical-time order (ties by recording order), voided entries included, with each one's time. */
export interface ClinicalOrder<D> {
  entries: readonly RecordedEntry<D>[];
  /** Milliseconds of each entry's clinical time, as Date.parse reads it (NaN when it is not a time). */
  times: readonly number[];
}

const CLINICAL_TIME: { [K in RecordKind]: (data: RecordData[K]) => string } = {
  doses: (d) => d.administeredAt,
  labs: (l) => l.collectedAt,
  adverseEvents: (a) => a.onsetAt,
};

/** Orders already found, per state evolved by this domain: such a state never changes, so neither does its order. */
const orders = new WeakMap<PatientState, Partial<Record<RecordKind, ClinicalOrder<unknown>>>>();

/**
 * The records of a kind in clinical-time order: the order the rules read them in (the first dose, the
 * baseline before it, a replay's list). Sorted once per state and kind: a replay asks for it several times.
 */
export function clinicalOrder<K extends RecordKind>(state: PatientState, kind: K): ClinicalOrder<RecordData[K]> {
  if (!journalOf(state)) return sortedByClinicalTime(recordsOf(state, kind), CLINICAL_TIME[kind]);
  let known = orders.get(state);
  if (!known) orders.set(state, (known = {}));
  return (known[kind] ??= sortedByClinicalTime(recordsOf(state, kind), CLINICAL_TIME[kind]) as ClinicalOrder<unknown>) as ClinicalOrder<RecordData[K]>;
}

/** Each time is read once, not at each of the n log n comparisons of the sort. */
export function sortedByClinicalTime<D>(records: readonly RecordedEntry<D>[], at: (d: D) => string): ClinicalOrder<D> {
  const timed = records.map((entry) => ({ entry, time: instantMs(at(entry.current)) }));
  timed.sort((a, b) => a.time - b.time || a.entry.recordedSeq - b.entry.recordedSeq);
  return { entries: timed.map((t) => t.entry), times: timed.map((t) => t.time) };
}
