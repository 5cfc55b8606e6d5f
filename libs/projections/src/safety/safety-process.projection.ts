import { TRANSREG, type TrialProtocol } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { PATIENT_EVENT_TYPES } from '@vigil/domain';
import type { Projection, ProjectionTransaction } from '../projection';
import type { AlertStreams } from '../alerts/alert-streams';
import {
  changedRecords,
  initialPatientWatch,
  readWatch,
  RECORD_KINDS,
  watchHead,
  type PatientWatch,
  type WatchRecordKind,
  type WatchTables,
} from './patient-watch';
import { watchPatient } from './watch-patient';

export const SAFETY_PROCESS = 'safety';

const PATIENT_STREAM_PREFIX = 'patient-';

/** Per batch: the watches of the patients it touched, as they stand after it, the position of each one's last event, and the records it changed. */
type Watches = Map<string, { watch: PatientWatch; position: number; changed: Map<WatchRecordKind, Set<string>> }>;

/** The record an event of a patient stream writes (PatientFold writes one per event), by kind and the event id that first recorded it. */
function recordWritten(event: StoredEvent): { kind: WatchRecordKind; id: string } | undefined {
  switch (event.type) {
    case 'LabResultRecorded':
      return { kind: 'labs', id: event.eventId };
    case 'DoseAdministered':
      return { kind: 'doses', id: event.eventId };
    case 'AdverseEventReported':
      return { kind: 'adverseEvents', id: event.eventId };
    case 'LabResultCorrected':
    case 'LabResultEnteredInError':
      return { kind: 'labs', id: (event.data as { originalEventId: string }).originalEventId };
    case 'DoseCorrected':
    case 'DoseEnteredInError':
      return { kind: 'doses', id: (event.data as { originalEventId: string }).originalEventId };
    case 'AdverseEventCorrected':
    case 'AdverseEventEnteredInError':
      return { kind: 'adverseEvents', id: (event.data as { originalEventId: string }).originalEventId };
    default:
      return undefined;
  }
}

/** Every record of the patient, by kind, in the order first recorded. */
function allRecords(watch: PatientWatch): Map<WatchRecordKind, Set<string>> {
  const all = new Map<WatchRecordKind, Set<string>>();
  for (const kind of RECORD_KINDS) all.set(kind, new Set(Object.keys(watch.state[kind])));
  return all;
}

const tablesOf = (tx: ProjectionTransaction): WatchTables => ({ patients: tx.table('patients'), records: tx.table('records') });

/**
 * The safety process: follows patient streams, keeps each patient's folded state (persisted), runs
 * the safety rules on every clinical record and correction, and appends the resulting alert events.
 *
 * Alert appends happen in `prepare`, before the batch's transaction commits the watches and the
 * checkpoint. A crash in between repeats the batch: raising again meets the alert stream already
 * there ('no_stream' expected → WrongExpectedVersionError, ignored), retracting again is a no-op of
 * the alert decider. So every alert event is appended once, however often the batch runs.
 */
/**
 * Events folded into the watches that stay in memory between live batches (least recently met patients
 * dropped first). A patient's state holds at most one record per event (corrections change a record in
 * place), about 0.9 kB each with its journal as measured, so some 100 MB at most. Beyond it, live
 * patients met in turn would each be read again from their rows.
 */
const EVENTS_KEPT = 100_000;
/**
 * A batch this long is a catch-up or a rebuild: each patient in it comes with many events, so reading
 * the patient once per batch costs little, and its patients come back, if at all, after the bound has
 * dropped them (measured: keeping them took a rebuild of 200 000 events from 220 to 460 MB).
 */
const CATCH_UP_BATCH = 500;
/** A patient's `records` rows are compacted into one beyond this many: reading a watch stays bounded. */
const RECORD_ROWS_KEPT = 32;

export class SafetyProcess implements Projection<Watches> {
  readonly name = SAFETY_PROCESS;
  /**
   * Watches as the last batch left them, per build table and patient, with the position written with
   * them. A batch reads a kept watch only if the patient's row still has that position: a batch that
   * was rolled back (or a row written elsewhere) leaves another position there, and the row is read.
   * Live, every lab result would otherwise read its patient's rows again.
   */
  private readonly kept = new Map<string, { watch: PatientWatch; position: number }>();
  private eventsKept = 0;
  /**
   * 2: rows keep records never corrected once, and the position of the patient's own last event.
   * 3: records in rows of their own, written per batch that changed them (patient-watch.ts).
   */
  readonly version = 3;
  readonly handles: readonly string[] = PATIENT_EVENT_TYPES;

  constructor(
    private readonly alerts: Pick<AlertStreams, 'carryOut'>,
    private readonly clock: () => Date = () => new Date(),
    /** The trial's protocol, with the maintenance window the deployment configured (VIGIL_DOSE_WINDOW_DAYS). */
    private readonly protocol: TrialProtocol = TRANSREG,
  ) {}

  install(tx: ProjectionTransaction): void {
    tx.exec(`
      CREATE TABLE ${tx.table('patients')} (
        patient_id TEXT PRIMARY KEY,
        site_id TEXT,
        watch TEXT NOT NULL,
        position INTEGER NOT NULL
      );
      CREATE TABLE ${tx.table('records')} (
        patient_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        records TEXT NOT NULL,
        PRIMARY KEY (patient_id, position)
      ) WITHOUT ROWID`);
  }

  async prepare(events: StoredEvent[], reader: ProjectionTransaction): Promise<Watches> {
    const watches: Watches = new Map();
    const tables = tablesOf(reader);
    // Raises go to the store together (group commit: one fsync for many, in the order submitted); a
    // retraction first waits for them, as it reads the alert's stream.
    const raising: Promise<void>[] = [];
    const raised = () => Promise.all(raising.splice(0));
    for (const event of events) {
      if (!event.streamId.startsWith(PATIENT_STREAM_PREFIX)) continue;
      const patientId = event.streamId.slice(PATIENT_STREAM_PREFIX.length);
      let touched = watches.get(patientId);
      const watch = touched?.watch ?? this.watchOf(reader, tables, patientId);
      if (event.streamVersion <= watch.state.version) continue; // already folded (repeated batch)
      const now = this.clock();
      const judged = watchPatient(watch, event, now, this.protocol);
      for (const action of judged.actions) {
        if (action.kind === 'raise') {
          const raise = this.alerts.carryOut(action, now);
          raise.catch(() => undefined); // its failure fails the batch at `raised()`, not the process before
          raising.push(raise);
          continue;
        }
        await raised();
        await this.alerts.carryOut(action, now);
      }
      if (!touched) watches.set(patientId, (touched = { watch: judged.watch, position: event.globalPosition, changed: new Map() }));
      touched.watch = judged.watch;
      touched.position = event.globalPosition;
      const written = recordWritten(event);
      if (written) {
        let ids = touched.changed.get(written.kind);
        if (!ids) touched.changed.set(written.kind, (ids = new Set()));
        ids.add(written.id);
      }
    }
    await raised();
    if (events.length >= CATCH_UP_BATCH) this.forgetAll();
    else for (const [patientId, { watch, position }] of watches) this.keep(`${tables.patients}:${patientId}`, { watch, position });
    return watches;
  }

  /** The patient's watch as committed: the one kept in memory if the row still says so, else read. */
  private watchOf(reader: ProjectionTransaction, tables: WatchTables, patientId: string): PatientWatch {
    const key = `${tables.patients}:${patientId}`;
    const kept = this.kept.get(key);
    if (kept) {
      const position = reader.statement(`SELECT position FROM ${tables.patients} WHERE patient_id = ?`).pluck().get(patientId) as number | undefined;
      if (position === kept.position) return kept.watch;
      this.forget(key);
    }
    return readWatch(reader.statement, tables, patientId)?.watch ?? initialPatientWatch();
  }

  private keep(key: string, { watch, position }: { watch: PatientWatch; position: number }): void {
    this.forget(key);
    this.kept.set(key, { watch, position });
    this.eventsKept += watch.state.version;
    for (const oldest of this.kept.keys()) {
      if (this.eventsKept <= EVENTS_KEPT) break;
      this.forget(oldest);
    }
  }

  private forgetAll(): void {
    this.kept.clear();
    this.eventsKept = 0;
  }

  private forget(key: string): void {
    const kept = this.kept.get(key);
    if (!kept) return;
    this.kept.delete(key);
    this.eventsKept -= kept.watch.state.version;
  }

  /**
   * Each patient's row records the position of the patient's own last event: the same however the log
   * was batched. The records the batch changed go in one row of their own, keyed by that position.
   */
  apply(_events: StoredEvent[], tx: ProjectionTransaction, watches: Watches): void {
    const { patients, records } = tablesOf(tx);
    const save = tx.statement(`
      INSERT INTO ${patients} (patient_id, site_id, watch, position) VALUES (?, ?, ?, ?)
      ON CONFLICT (patient_id) DO UPDATE SET site_id = excluded.site_id, watch = excluded.watch, position = excluded.position`);
    const saveRecords = tx.statement(`INSERT INTO ${records} (patient_id, position, records) VALUES (?, ?, ?)`);
    const countRecords = tx.statement(`SELECT count(*) FROM ${records} WHERE patient_id = ?`).pluck();
    const dropRecords = tx.statement(`DELETE FROM ${records} WHERE patient_id = ?`);
    for (const [patientId, { watch, position, changed }] of watches) {
      save.run(patientId, watch.state.siteId, watchHead(watch), position);
      if (changed.size === 0) continue;
      if ((countRecords.get(patientId) as number) < RECORD_ROWS_KEPT) {
        saveRecords.run(patientId, position, changedRecords(watch, changed));
        continue;
      }
      // Compaction: every record of the patient in one row, in the order first recorded.
      dropRecords.run(patientId);
      saveRecords.run(patientId, position, changedRecords(watch, allRecords(watch)));
    }
  }
}
