import type { StandingAlerts } from '@vigil/domain';

/** What the alerting reactor keeps of one patient between batches (plain data). */
export interface PatientAlerting {
  /** The patient's site (for the alert events' envelope), once enrolled. */
  siteId: string | null;
  /** The alerts standing on the patient (raised, not retracted), with their figures and status. */
  standing: StandingAlerts;
  /** The patient stream's version these reflect. */
  version: number;
  /** When the next due dose's window closes (ms): the timer judges the patient again then. */
  nextCheckAt: number | null;
}

/** What one batch (or one timer pass) changed: committed together with the checkpoint, all or nothing. */
export interface AlertingChanges {
  /** The global position the reactor has handled (unchanged by a timer pass). */
  position: number;
  patients: ReadonlyMap<string, PatientAlerting>;
  /** Which patient each newly known alert stands on. */
  owners: ReadonlyMap<string, string>;
}

/**
 * The alerting reactor's own state (a port: SQLite beside the read models in the embedded default): its
 * checkpoint, and per patient the standing alerts. Every piece is derived from the log and rebuilt by
 * replaying it; the checkpoint and what it covers always move together.
 */
export interface AlertingState {
  position(): Promise<number>;
  patient(patientId: string): Promise<PatientAlerting | undefined>;
  /** The patients the given alerts stand on (those known). */
  owners(alertIds: readonly string[]): Promise<Map<string, string>>;
  commit(changes: AlertingChanges): Promise<void>;
  /** Patients whose next check is due at `nowMs`. */
  due(nowMs: number): Promise<string[]>;
  /** Forgets everything: the next start replays the log from its beginning. */
  reset(): Promise<void>;
}
