import { initialPatientState, type PatientState } from '@vigil/domain';

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
