import type { DoseAdministeredData } from '../events';
import { DAY_MS, instantMs, utcDayNumber } from '../instant';
import type { PatientChart, TimedDose } from '../patient/patient-chart';
import { treatmentStatusAt, type PatientState } from '../patient/patient-state';
import { maintenanceIntervalDays, type TrialProtocol } from '../protocol/trial-protocol';
import { TRANSREG } from '../protocol/transreg';
import { roundSignificant } from '../units/significant';
import type { RuleId } from './rule-catalogue';

/**
 * The dosing grid of docs/protocol.md "Treatment: one drug, one arm". Day 1 is the calendar day (UTC) of
 * the first dose; induction is one dose a day on Days 1–5; maintenance doses are due on a fixed grid from
 * Day 1 (Day 15, 29, 43, …; SLE Day 15, 22, 29, …) up to the last maintenance day, each within ± the
 * window. A late dose does not move the next due day.
 */
export type DoseRuleId = Extract<RuleId, `DOSE-${string}`>;

export interface DueDose {
  /** Study day (Day 1 = the first dose's day). */
  studyDay: number;
  /** The due day, 00:00 UTC, ISO-8601. */
  dueAt: string;
  phase: 'induction' | 'maintenance';
  /** ± days around the due day: 0 in induction (one dose a day), the maintenance window otherwise. */
  windowDays: number;
}

export type DosePlace = 'induction' | 'extra-induction' | 'maintenance' | 'off-schedule' | 'same-day' | 'after-stop';

export interface PlacedDose {
  dose: TimedDose;
  studyDay: number;
  place: DosePlace;
  /** The due dose it stands for (induction and maintenance doses). */
  due?: DueDose;
  /** Days from its due day (negative: early). */
  offsetDays?: number;
}

export interface DoseDeviation {
  ruleId: DoseRuleId;
  /** The dose concerned (absent for a missed dose). */
  doseEventId?: string;
  message: string;
  expected?: string;
  actual?: string;
  /** When the dose was due, ISO-8601 UTC (window and missed deviations). */
  dueAt?: string;
}

export interface DoseGrid {
  /** UTC day number of Day 1; null before the first dose. */
  day1: number | null;
  intervalDays: number;
  dues: DueDose[];
  doses: PlacedDose[];
}

export interface DosingOptions {
  protocol?: TrialProtocol;
  /** The maintenance window (± days, VIGIL_DOSE_WINDOW_DAYS); the protocol's by default. */
  windowDays?: number;
}

const day = (iso: string): string => iso.slice(0, 10);
const dayIso = (dayNumber: number): string => new Date(dayNumber * DAY_MS).toISOString();

/** Whether treatment had stopped at a moment: a stop status in force, or a fatal adverse event with onset on or before it. */
export function treatmentStoppedAt(state: PatientState, atMs: number): boolean {
  if (treatmentStatusAt(state, atMs) !== 'on-treatment') return true;
  for (const ae of Object.values(state.adverseEvents)) {
    if (ae.voided) continue;
    const fatal = ae.current.outcome === 'fatal' || ae.current.grade === 5;
    if (fatal && instantMs(ae.current.onsetAt) <= atMs) return true;
  }
  return false;
}

/** Every dose placed on the grid, and the grid's due doses. */
export function doseGrid(state: PatientState, chart: PatientChart, options: DosingOptions = {}): DoseGrid {
  const protocol = options.protocol ?? TRANSREG;
  const windowDays = options.windowDays ?? protocol.maintenanceWindowDays;
  const { induction, maintenance } = protocol.treatment;
  const intervalDays = maintenanceIntervalDays(protocol, state.disease ?? protocol.diseases[0].code);
  const doses = chart.activeDoses();
  if (doses.length === 0) return { day1: null, intervalDays, dues: [], doses: [] };

  const day1 = utcDayNumber(doses[0].time);
  const dues: DueDose[] = [];
  for (let d = 1; d <= induction.days; d++) dues.push({ studyDay: d, dueAt: dayIso(day1 + d - 1), phase: 'induction', windowDays: 0 });
  for (let d = maintenance.firstDay; d <= maintenance.lastDay; d += intervalDays) {
    dues.push({ studyDay: d, dueAt: dayIso(day1 + d - 1), phase: 'maintenance', windowDays });
  }
  const fulfilled = new Set<number>();
  const daysWithDose = new Set<number>();
  let inductionGiven = 0;
  const placed: PlacedDose[] = [];
  for (const dose of doses) {
    const utcDay = utcDayNumber(dose.time);
    const studyDay = utcDay - day1 + 1;
    if (daysWithDose.has(utcDay)) {
      placed.push({ dose, studyDay, place: 'same-day' });
      continue;
    }
    const previousDayHadDose = daysWithDose.has(utcDay - 1);
    daysWithDose.add(utcDay);
    if (treatmentStoppedAt(state, dose.time)) {
      placed.push({ dose, studyDay, place: 'after-stop' });
      continue;
    }
    if (studyDay <= induction.days) {
      const due = dues[studyDay - 1];
      fulfilled.add(studyDay);
      inductionGiven++;
      placed.push({ dose, studyDay, place: 'induction', due, offsetDays: 0 });
      continue;
    }
    if (studyDay < maintenance.firstDay - windowDays) {
      // After Day 5, before maintenance: a late induction dose while induction is short of its doses, else an extra one.
      const owed = inductionGiven < induction.days ? dues.find((due) => due.phase === 'induction' && !fulfilled.has(due.studyDay)) : undefined;
      if (owed) {
        fulfilled.add(owed.studyDay);
        inductionGiven++;
        placed.push({ dose, studyDay, place: 'induction', due: owed, offsetDays: studyDay - owed.studyDay });
        continue;
      }
      placed.push({ dose, studyDay, place: previousDayHadDose ? 'extra-induction' : 'off-schedule' });
      continue;
    }
    // The nearest maintenance due day not yet given (ties: the earlier one).
    let best: DueDose | undefined;
    for (const due of dues) {
      if (due.phase !== 'maintenance' || fulfilled.has(due.studyDay)) continue;
      if (!best || Math.abs(due.studyDay - studyDay) < Math.abs(best.studyDay - studyDay)) best = due;
    }
    if (!best) {
      placed.push({ dose, studyDay, place: 'off-schedule' });
      continue;
    }
    fulfilled.add(best.studyDay);
    placed.push({ dose, studyDay, place: 'maintenance', due: best, offsetDays: studyDay - best.studyDay });
  }
  return { day1, intervalDays, dues, doses: placed };
}

/** Dose units understood, as multiples of one MIU (million international units). */
const DOSE_UNITS_IN_MIU: Readonly<Record<string, number>> = { MIU: 1, '10*6.[IU]': 1, '10*3.[IU]': 0.001, '[IU]': 0.000001 };
/** Route spellings taken as the protocol's SC (subcutaneous; CDISC route term SUBCUTANEOUS). */
const ROUTE_SYNONYMS: Readonly<Record<string, readonly string[]>> = { SC: ['SC', 'SUBCUTANEOUS', 'SUBCUT'] };

/** Amount and route of one dose against the protocol (never a reason to refuse recording it). */
export function amountAndRoute(eventId: string, data: DoseAdministeredData, protocol: TrialProtocol = TRANSREG): DoseDeviation[] {
  const { dose: protocolDose, doseUnit, route } = protocol.treatment;
  const deviations: DoseDeviation[] = [];
  const expected = `${protocolDose} ${doseUnit}`;
  const actual = `${data.dose} ${data.unit}`;
  const factor = DOSE_UNITS_IN_MIU[data.unit.trim()];
  if (factor === undefined) {
    deviations.push({
      ruleId: 'DOSE-AMOUNT',
      doseEventId: eventId,
      expected,
      actual,
      message: `Dose unit "${data.unit}" is not one Vigil can compare with the protocol dose of ${expected}`,
    });
  } else if (roundSignificant(data.dose * factor) !== protocolDose) {
    deviations.push({ ruleId: 'DOSE-AMOUNT', doseEventId: eventId, expected, actual, message: `Dose of ${actual} instead of the protocol's ${expected}` });
  }
  const accepted = ROUTE_SYNONYMS[route] ?? [route];
  if (!accepted.includes(data.route.trim().toUpperCase())) {
    deviations.push({
      ruleId: 'DOSE-ROUTE',
      doseEventId: eventId,
      expected: route,
      actual: data.route,
      message: `Dose given by route ${data.route} instead of ${route}`,
    });
  }
  return deviations;
}

/** The timing deviations of a placed dose: a second dose on one day, a gap in induction, a sixth induction dose, off its window, after a stop. */
export function timingDeviations(grid: DoseGrid, placed: PlacedDose, protocol: TrialProtocol = TRANSREG): DoseDeviation[] {
  const { entry } = placed.dose;
  const at = entry.current.administeredAt;
  const base = { doseEventId: entry.eventId, actual: at };
  const { maintenance } = protocol.treatment;
  switch (placed.place) {
    case 'same-day':
      return [{ ...base, ruleId: 'DOSE-SAME-DAY', expected: 'one dose a day', message: `Second dose on ${day(at)} (Day ${placed.studyDay}): one dose a day` }];
    case 'after-stop':
      return [
        {
          ...base,
          ruleId: 'DOSE-AFTER-STOP',
          expected: 'no dose after the treatment stopped',
          message: `Dose on ${day(at)} (Day ${placed.studyDay}) after the treatment stopped`,
        },
      ];
    case 'induction': {
      const previousDay = placed.studyDay - 1;
      const hadPrevious = grid.doses.some((p) => p !== placed && p.place !== 'same-day' && p.studyDay === previousDay);
      if ((placed.offsetDays ?? 0) > 0) {
        const due = placed.due as DueDose;
        return [
          {
            ...base,
            ruleId: 'DOSE-INDUCTION-GAP',
            dueAt: due.dueAt,
            expected: `a dose on each of Days 1–${protocol.treatment.induction.days}`,
            message: `Induction dose due Day ${due.studyDay} given on Day ${placed.studyDay} (${day(at)}): induction is one dose a day on consecutive days`,
          },
        ];
      }
      if (placed.studyDay === 1 || hadPrevious) return [];
      return [
        {
          ...base,
          ruleId: 'DOSE-INDUCTION-GAP',
          expected: `a dose on each of Days 1–${protocol.treatment.induction.days}`,
          message: `Induction dose on Day ${placed.studyDay} (${day(at)}) with no dose on Day ${previousDay}: induction is one dose a day on consecutive days`,
        },
      ];
    }
    case 'extra-induction':
      return [
        {
          ...base,
          ruleId: 'DOSE-EXTRA-INDUCTION',
          expected: `${protocol.treatment.induction.days} daily induction doses`,
          message: `Extra induction dose on Day ${placed.studyDay} (${day(at)}): induction is ${protocol.treatment.induction.days} daily doses`,
        },
      ];
    case 'off-schedule': {
      const next = grid.dues.find((d) => d.phase === 'maintenance' && d.studyDay > placed.studyDay);
      const expected = next ? `the next dose on Day ${next.studyDay} (${day(next.dueAt)})` : `no dose after Day ${maintenance.lastDay}`;
      return [{ ...base, ruleId: 'DOSE-WINDOW', expected, message: `Dose on Day ${placed.studyDay} (${day(at)}), when no dose is due: ${expected}` }];
    }
    case 'maintenance': {
      const due = placed.due as DueDose;
      const offset = placed.offsetDays ?? 0;
      if (Math.abs(offset) <= due.windowDays) return [];
      return [
        {
          ...base,
          ruleId: 'DOSE-WINDOW',
          dueAt: due.dueAt,
          expected: `${day(due.dueAt)} ± ${due.windowDays} days`,
          message:
            `Maintenance dose ${Math.abs(offset)} days ${offset < 0 ? 'early' : 'late'}: ` +
            `due Day ${due.studyDay} (${day(due.dueAt)}) ± ${due.windowDays} days ` +
            `(every ${grid.intervalDays} days from Day ${maintenance.firstDay}), given ${day(at)}`,
        },
      ];
    }
  }
}

/**
 * Due doses not given whose window closed by `atMs` (the recording time of the event judged, or the timer's
 * now), while the patient was on treatment: after a suspension, discontinuation, completion, withdrawal or
 * a fatal adverse event, no dose is expected. Day 1 is never missed: it is the first dose.
 */
export function missedDoses(state: PatientState, grid: DoseGrid, atMs: number): DoseDeviation[] {
  if (grid.day1 === null) return [];
  const judgedDay = utcDayNumber(atMs);
  const given = new Set(grid.doses.filter((p) => p.due).map((p) => (p.due as DueDose).studyDay));
  const missed: DoseDeviation[] = [];
  for (const due of grid.dues) {
    if (due.studyDay === 1 || given.has(due.studyDay)) continue;
    const closesDay = utcDayNumber(due.dueAt) + due.windowDays;
    if (closesDay >= judgedDay) continue;
    const closedAtMs = (closesDay + 1) * DAY_MS - 1;
    if (treatmentStoppedAt(state, closedAtMs)) continue;
    const window = due.windowDays > 0 ? ` ± ${due.windowDays} days` : '';
    missed.push({
      ruleId: 'DOSE-MISSED',
      dueAt: due.dueAt,
      expected: `${day(due.dueAt)}${window}`,
      message: `${due.phase === 'induction' ? 'Induction' : 'Maintenance'} dose due Day ${due.studyDay} (${day(due.dueAt)}${window}) was not given`,
    });
  }
  return missed;
}

/**
 * When the next due dose's window closes after `atMs` (ms), while the patient is on treatment: the moment a
 * timer must judge the patient again to raise DOSE-MISSED without waiting for the patient's next event.
 */
export function nextWindowCloseAfter(state: PatientState, grid: DoseGrid, atMs: number): number | null {
  if (grid.day1 === null) return null;
  const given = new Set(grid.doses.filter((p) => p.due).map((p) => (p.due as DueDose).studyDay));
  for (const due of grid.dues) {
    if (due.studyDay === 1 || given.has(due.studyDay)) continue;
    const closesAtMs = (utcDayNumber(due.dueAt) + due.windowDays + 1) * DAY_MS;
    if (closesAtMs > atMs && !treatmentStoppedAt(state, closesAtMs - 1)) return closesAtMs;
  }
  return null;
}

/** Every deviation of the patient's doses (amount, route, timing), per dose. */
export function doseDeviations(state: PatientState, grid: DoseGrid, protocol: TrialProtocol = TRANSREG): DoseDeviation[] {
  return grid.doses.flatMap((placed) => [
    ...amountAndRoute(placed.dose.entry.eventId, placed.dose.entry.current, protocol),
    ...timingDeviations(grid, placed, protocol),
  ]);
}

export interface DoseCompliance {
  /** Doses given (not voided) up to `asOf`. */
  given: number;
  /** Doses the grid calls for by `asOf` while on treatment. */
  expected: number;
  /** Deviations of the doses given plus missed doses. */
  deviations: number;
  missed: number;
  byRule: Partial<Record<DoseRuleId, number>>;
}

/** A summary of a patient's dosing against the protocol by `asOf`. */
export function doseCompliance(state: PatientState, chart: PatientChart, asOf: Date, options: DosingOptions = {}): DoseCompliance {
  const protocol = options.protocol ?? TRANSREG;
  const grid = doseGrid(state, chart, options);
  const asOfMs = asOf.getTime();
  const givenDoses = grid.doses.filter((p) => p.dose.time <= asOfMs);
  const deviations = [
    ...givenDoses.flatMap((placed) => [
      ...amountAndRoute(placed.dose.entry.eventId, placed.dose.entry.current, protocol),
      ...timingDeviations(grid, placed, protocol),
    ]),
    ...missedDoses(state, grid, asOfMs),
  ];
  const byRule: Partial<Record<DoseRuleId, number>> = {};
  for (const d of deviations) byRule[d.ruleId] = (byRule[d.ruleId] ?? 0) + 1;
  const expected = grid.dues.filter((due) => Date.parse(due.dueAt) <= asOfMs && !treatmentStoppedAt(state, Date.parse(due.dueAt))).length;
  return { given: givenDoses.length, expected, deviations: deviations.length, missed: byRule['DOSE-MISSED'] ?? 0, byRule };
}
