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

const RECORD_KINDS = ['doses', 'labs', 'adverseEvents'] as const;

/**
 * A watch as its row keeps it (JSON). A record never corrected has the same values as first recorded
 * (`current` is `original`, patient-state.ts), so those values are written once: rows are smaller,
 * and cheaper to write and read back (a rebuild does both for every patient it meets).
 */
export function encodeWatch(watch: PatientWatch): string {
  const { state } = watch;
  return JSON.stringify({
    state: { ...state, doses: compact(state.doses), labs: compact(state.labs), adverseEvents: compact(state.adverseEvents) },
    standing: watch.standing,
  });
}

export function decodeWatch(json: string): PatientWatch {
  const watch = JSON.parse(json) as PatientWatch;
  for (const kind of RECORD_KINDS) {
    const entries = watch.state[kind] as Record<string, { original: unknown; current?: unknown }>;
    for (const id in entries) if (entries[id].current === undefined) entries[id].current = entries[id].original;
  }
  return watch;
}

function compact<E extends { corrections: readonly string[] }>(entries: Readonly<Record<string, E>>): Record<string, E | Omit<E, 'current'>> {
  const stored: Record<string, E | Omit<E, 'current'>> = {};
  for (const id in entries) {
    const entry = entries[id];
    stored[id] = entry.corrections.length === 0 ? { ...entry, current: undefined } : entry;
  }
  return stored;
}
