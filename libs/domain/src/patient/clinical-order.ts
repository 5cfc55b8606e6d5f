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

/**
 * Milliseconds of a record's clinical time, per values object (as recorded, or a correction's new
 * values): values never change once recorded, and the rules read every earlier record's time again
 * for each new one (a baseline scans the patient's results), so each time is parsed once.
 */
const clinicalMs: { [K in RecordKind]: WeakMap<RecordData[K], number> } = { doses: new WeakMap(), labs: new WeakMap(), adverseEvents: new WeakMap() };

/** `instantMs` of the clinical time of a record's values (collection, administration, onset), parsed once per values object. */
export function clinicalTimeMs<K extends RecordKind>(kind: K, data: RecordData[K]): number {
  const known = clinicalMs[kind] as WeakMap<RecordData[K], number>;
  let ms = known.get(data);
  if (ms === undefined) {
    ms = instantMs(CLINICAL_TIME[kind](data));
    known.set(data, ms);
  }
  return ms;
}

/** Orders already found, per state evolved by this domain: such a state never changes, so neither does its order. */
const orders = new WeakMap<PatientState, Partial<Record<RecordKind, ClinicalOrder<unknown>>>>();

/**
 * The records of a kind in clinical-time order: the order the rules read them in (the first dose, the
 * baseline before it, a replay's list). Sorted once per state and kind: a replay asks for it several times.
 */
export function clinicalOrder<K extends RecordKind>(state: PatientState, kind: K): ClinicalOrder<RecordData[K]> {
  if (!journalOf(state)) return inClinicalOrder(kind, recordsOf(state, kind));
  let known = orders.get(state);
  if (!known) orders.set(state, (known = {}));
  return (known[kind] ??= inClinicalOrder(kind, recordsOf(state, kind)) as ClinicalOrder<unknown>) as ClinicalOrder<RecordData[K]>;
}

function inClinicalOrder<K extends RecordKind>(kind: K, records: readonly RecordedEntry<RecordData[K]>[]): ClinicalOrder<RecordData[K]> {
  return sortedByClinicalTime(records, (data) => clinicalTimeMs(kind, data));
}

/** Each time is read once, not at each of the n log n comparisons of the sort. */
export function sortedByClinicalTime<D>(records: readonly RecordedEntry<D>[], timeMs: (d: D) => number): ClinicalOrder<D> {
  const timed = records.map((entry) => ({ entry, time: timeMs(entry.current) }));
  timed.sort((a, b) => a.time - b.time || a.entry.recordedSeq - b.entry.recordedSeq);
  return { entries: timed.map((t) => t.entry), times: timed.map((t) => t.time) };
}
