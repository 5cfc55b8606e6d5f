import type { DoseAdministeredData } from '../events';
import { DAY_MS, addUtcMonths, utcDayNumber } from '../instant';
import { clinicalTimeMs } from '../patient/clinical-order';
import { maintenanceIntervalDays, type TrialProtocol } from '../protocol/trial-protocol';
import { activeDoses, type PatientState } from '../patient/patient-state';
import { recordOf } from '../patient/record-journal';

/**
 * Where each dose sits in the protocol schedule (docs/protocol.md "Treatment"). Calendar days are UTC days.
 * - The first `induction.doses` doses (by administration time) are induction, Day 1 being the first.
 * - A later dose that keeps the daily rhythm (given within `induction.intervalDays` of an induction or
 *   extra dose) is an extra induction dose, e.g. a sixth consecutive daily dose.
 * - Every other later dose is maintenance, due `interval` days after the previous dose (15, 7 for SLE).
 *   A dose given after one or more due dates passed fulfils the last due date it is not early for
 *   (due ≤ dose day + window); the due dates before that one were missed. A dose early for the first
 *   due date fulfils it, early.
 * - The maintenance period runs `durationMonths` from the last induction dose.
 */
export type DosePhase = 'induction' | 'extra-induction' | 'maintenance';

export interface ScheduledDose {
  eventId: string;
  data: DoseAdministeredData;
  phase: DosePhase;
  /** For maintenance: the due date it fulfils (previous dose + a whole number of intervals). */
  dueAt?: string;
  /** For maintenance: due dates between the previous dose and this one that were not given (within the maintenance period). */
  skippedDueDates?: string[];
}

export interface DoseSchedule {
  doses: ScheduledDose[];
  intervalDays: number;
  /** End of the maintenance period; null until induction is complete. */
  maintenanceEndsAt: string | null;
}

export function doseSchedule(
  state: PatientState,
  protocol: TrialProtocol,
  windowDays: number = protocol.maintenanceWindowDays,
  replacing?: { eventId: string; data: DoseAdministeredData },
): DoseSchedule {
  const entries = activeDoses(state)
    .filter((d) => d.eventId !== replacing?.eventId)
    .map((d) => ({ eventId: d.eventId, data: d.current, seq: d.recordedSeq, time: clinicalTimeMs('doses', d.current) }));
  if (replacing) {
    const seq = recordOf(state, 'doses', replacing.eventId)?.recordedSeq ?? Number.POSITIVE_INFINITY;
    entries.push({ eventId: replacing.eventId, data: replacing.data, seq, time: clinicalTimeMs('doses', replacing.data) });
  }
  entries.sort((a, b) => a.time - b.time || a.seq - b.seq);

  const { induction } = protocol.treatment;
  const intervalDays = maintenanceIntervalDays(protocol, state.disease ?? protocol.diseases[0].code);
  const lastInduction = entries[induction.doses - 1];
  const maintenanceEndsAt = lastInduction ? addUtcMonths(lastInduction.data.administeredAt, protocol.treatment.maintenance.durationMonths).toISOString() : null;

  const doses: ScheduledDose[] = [];
  entries.forEach((entry, i) => {
    if (i < induction.doses) {
      doses.push({ eventId: entry.eventId, data: entry.data, phase: 'induction' });
      return;
    }
    const previous = doses[i - 1];
    const gapDays = utcDayNumber(entry.data.administeredAt) - utcDayNumber(previous.data.administeredAt);
    if (previous.phase !== 'maintenance' && gapDays <= induction.intervalDays) {
      doses.push({ eventId: entry.eventId, data: entry.data, phase: 'extra-induction' });
      return;
    }
    const dues = dueDates(previous.data.administeredAt, intervalDays, utcDayNumber(entry.data.administeredAt) + windowDays);
    const endDay = maintenanceEndsAt ? utcDayNumber(maintenanceEndsAt) : Number.POSITIVE_INFINITY;
    const skippedDueDates = dues.slice(0, -1).filter((d) => utcDayNumber(d) <= endDay);
    doses.push({ eventId: entry.eventId, data: entry.data, phase: 'maintenance', dueAt: dues[dues.length - 1], skippedDueDates });
  });
  return { doses, intervalDays, maintenanceEndsAt };
}

/** Due dates from `from` every `intervalDays`, up to the last one on or before `untilDay` (at least one). */
function dueDates(from: string, intervalDays: number, untilDay: number): string[] {
  const dues: string[] = [];
  let due = Date.parse(from) + intervalDays * DAY_MS;
  do {
    dues.push(new Date(due).toISOString());
    due += intervalDays * DAY_MS;
  } while (utcDayNumber(due) <= untilDay);
  return dues;
}
