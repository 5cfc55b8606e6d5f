import { TRANSREG, type TrialProtocol } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { PATIENT_EVENT_TYPES } from '@vigil/domain';
import type { Projection, ProjectionTransaction } from '../projection';
import type { AlertStreams } from '../alerts/alert-streams';
import { decodeWatch, encodeWatch, initialPatientWatch, type PatientWatch } from './patient-watch';
import { watchPatient } from './watch-patient';

export const SAFETY_PROCESS = 'safety';

const PATIENT_STREAM_PREFIX = 'patient-';

/** Per batch: the watches of the patients it touched, as they stand after it, and the position of each one's last event. */
type Watches = Map<string, { watch: PatientWatch; position: number }>;

/**
 * The safety process: follows patient streams, keeps each patient's folded state (persisted), runs
 * the safety rules on every clinical record and correction, and appends the resulting alert events.
 *
 * Alert appends happen in `prepare`, before the batch's transaction commits the watches and the
 * checkpoint. A crash in between repeats the batch: raising again meets the alert stream already
 * there ('no_stream' expected → WrongExpectedVersionError, ignored), retracting again is a no-op of
 * the alert decider. So every alert event is appended once, however often the batch runs.
 */
export class SafetyProcess implements Projection<Watches> {
  readonly name = SAFETY_PROCESS;
  /** 2: rows keep records never corrected once (encodeWatch), and the position of the patient's own last event. */
  readonly version = 2;
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
      )`);
  }

  async prepare(events: StoredEvent[], reader: ProjectionTransaction): Promise<Watches> {
    const watches: Watches = new Map();
    const load = reader.statement(`SELECT watch FROM ${reader.table('patients')} WHERE patient_id = ?`);
    for (const event of events) {
      if (!event.streamId.startsWith(PATIENT_STREAM_PREFIX)) continue;
      const patientId = event.streamId.slice(PATIENT_STREAM_PREFIX.length);
      let watch = watches.get(patientId)?.watch;
      if (!watch) {
        const row = load.get(patientId) as { watch: string } | undefined;
        watch = row ? decodeWatch(row.watch) : initialPatientWatch();
      }
      if (event.streamVersion <= watch.state.version) continue; // already folded (repeated batch)
      const now = this.clock();
      const judged = watchPatient(watch, event, now, this.protocol);
      for (const action of judged.actions) await this.alerts.carryOut(action, now);
      watches.set(patientId, { watch: judged.watch, position: event.globalPosition });
    }
    return watches;
  }

  /** Each patient's row records the position of the patient's own last event: the same however the log was batched. */
  apply(_events: StoredEvent[], tx: ProjectionTransaction, watches: Watches): void {
    const save = tx.statement(`
      INSERT INTO ${tx.table('patients')} (patient_id, site_id, watch, position) VALUES (?, ?, ?, ?)
      ON CONFLICT (patient_id) DO UPDATE SET site_id = excluded.site_id, watch = excluded.watch, position = excluded.position`);
    for (const [patientId, { watch, position }] of watches) save.run(patientId, watch.state.siteId, encodeWatch(watch), position);
  }
}
