import { initialPatientState, recordOf, type PatientState, type RecordedEntry } from '@vigil/domain';
import type { ReadModelStatement } from '../read-model-database';

/**
 * What the safety process keeps per patient between batches (persisted, so a restart does not
 * refold every stream): the folded patient state, and the alerts standing on each clinical record.
 */
export interface PatientWatch {
  state: PatientState;
  /**
   * Alerts not retracted, per clinical record (keyed by the event id that first recorded it), then
   * per rule id. A correction is judged against these: a rule no longer crossed retracts its alert,
   * a rule newly crossed raises one.
   */
  standing: Record<string, Record<string, string>>;
}

export const initialPatientWatch = (): PatientWatch => ({ state: initialPatientState, standing: {} });

export const RECORD_KINDS = ['doses', 'labs', 'adverseEvents'] as const;
export type WatchRecordKind = (typeof RECORD_KINDS)[number];

/** A patient's clinical records as a row of `records` keeps some of them: by kind, then by the event id that first recorded each. */
type StoredRecords = Record<WatchRecordKind, Record<string, unknown>>;

/** The tables of one build of the safety process. */
export interface WatchTables {
  /** One row per patient: the state without its records, the standing alerts, the position of the patient's last event. */
  patients: string;
  /** The patient's records, written incrementally: per (patient, position) the records changed by events up to that position. */
  records: string;
}

/**
 * A watch is stored in two parts, so that a batch writes what it changed and not the patient's whole
 * history again (a rebuild meets every patient in many batches):
 * - the patient's row (`watchHead`): the state's fields and version, and the standing alerts;
 * - rows of records (`changedRecords`), one per batch that changed any: each record as it stands
 *   after that batch. Read back in position order, a record's last row wins (`readWatch`).
 * A record never corrected has the same values as first recorded (`current` is `original`,
 * patient-state.ts), so those values are written once.
 */
export function watchHead(watch: PatientWatch): string {
  const { state } = watch;
  return JSON.stringify({
    state: {
      enrolled: state.enrolled,
      patientId: state.patientId,
      trialId: state.trialId,
      siteId: state.siteId,
      disease: state.disease,
      demographics: state.demographics,
      enrolledAt: state.enrolledAt,
      version: state.version,
    },
    standing: watch.standing,
  });
}

/** The records of `changed` (kind → event ids that first recorded them) as they stand in the watch, as one `records` row. */
export function changedRecords(watch: PatientWatch, changed: ReadonlyMap<WatchRecordKind, ReadonlySet<string>>): string {
  const stored: Partial<StoredRecords> = {};
  for (const kind of RECORD_KINDS) {
    const ids = changed.get(kind);
    if (!ids) continue;
    const entries: Record<string, unknown> = {};
    for (const id of ids) {
      const entry = recordOf(watch.state, kind, id) as RecordedEntry<unknown> | undefined;
      if (!entry) throw new Error(`safety process: record ${id} (${kind}) changed but is not in the patient state`);
      setOwn(entries, id, entry.corrections.length === 0 ? { ...entry, current: undefined } : entry);
    }
    stored[kind] = entries;
  }
  return JSON.stringify(stored);
}

/**
 * The watch of a patient and the position of the patient's last event, as stored (undefined when the
 * safety process never met the patient). Statements are prepared through `statement`, so the one of a
 * read snapshot or of the writing transaction is used.
 */
export function readWatch(
  statement: (sql: string) => ReadModelStatement,
  tables: WatchTables,
  patientId: string,
): { watch: PatientWatch; position: number } | undefined {
  const row = statement(`SELECT watch, position FROM ${tables.patients} WHERE patient_id = ?`).get(patientId) as
    { watch: string; position: number } | undefined;
  if (!row) return undefined;
  const head = JSON.parse(row.watch) as { state: Omit<PatientState, WatchRecordKind>; standing: PatientWatch['standing'] };
  const records: Partial<StoredRecords> = {};
  const chunks = statement(`SELECT records FROM ${tables.records} WHERE patient_id = ? ORDER BY position`).pluck().all(patientId) as string[];
  for (const chunk of chunks) {
    const stored = JSON.parse(chunk) as Partial<StoredRecords>;
    for (const kind of RECORD_KINDS) {
      const entries = stored[kind];
      if (!entries) continue;
      const into = records[kind];
      if (!into) {
        records[kind] = entries; // the first row with records of this kind is taken as it was parsed
        continue;
      }
      // A record met again keeps its place (first recorded), with its newest values.
      for (const id in entries) setOwn(into, id, entries[id]);
    }
  }
  for (const kind of RECORD_KINDS) {
    const entries = (records[kind] ??= {}) as Record<string, { original: unknown; current?: unknown }>;
    for (const id in entries) if (entries[id].current === undefined) entries[id].current = entries[id].original;
  }
  const { state } = head;
  const watch: PatientWatch = {
    state: {
      enrolled: state.enrolled,
      patientId: state.patientId,
      trialId: state.trialId,
      siteId: state.siteId,
      disease: state.disease,
      demographics: state.demographics,
      enrolledAt: state.enrolledAt,
      doses: records.doses as PatientState['doses'],
      labs: records.labs as PatientState['labs'],
      adverseEvents: records.adverseEvents as PatientState['adverseEvents'],
      version: state.version,
    },
    standing: head.standing,
  };
  return { watch, position: row.position };
}

/** An own property even for the id "__proto__" (an assignment would set the prototype instead). */
function setOwn(target: Record<string, unknown>, id: string, value: unknown): void {
  if (id === '__proto__') Object.defineProperty(target, id, { value, enumerable: true, writable: true, configurable: true });
  else target[id] = value;
}
