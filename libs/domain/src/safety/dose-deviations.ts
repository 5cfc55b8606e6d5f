import type { DoseAdministeredData } from '../events';
import { DAY_MS, addUtcMonths, utcDayNumber } from '../instant';
import type { PatientState } from '../patient/patient-state';
import { TRANSREG } from '../protocol/transreg';
import type { TrialProtocol } from '../protocol/trial-protocol';
import { roundSignificant } from '../units/significant';
import { doseSchedule, type DoseSchedule, type ScheduledDose } from './dose-schedule';

/** Protocol deviations of dosing (docs/protocol.md: flagged, never a reason to refuse recording). */
export type DoseRuleId = 'DOSE-AMOUNT' | 'DOSE-ROUTE' | 'DOSE-EXTRA-INDUCTION' | 'DOSE-WINDOW' | 'DOSE-MISSED';

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

/** Dose units understood, as multiples of one MIU (million international units). */
const DOSE_UNITS_IN_MIU: Readonly<Record<string, number>> = { MIU: 1, '10*6.[IU]': 1, '10*3.[IU]': 0.001, '[IU]': 0.000001 };
/** Route spellings taken as the protocol's SC (subcutaneous; CDISC route term SUBCUTANEOUS). */
const ROUTE_SYNONYMS: Readonly<Record<string, readonly string[]>> = { SC: ['SC', 'SUBCUTANEOUS', 'SUBCUT'] };

/**
 * The deviations one dose shows against the protocol: amount, route, an extra induction dose, or a
 * maintenance dose outside its due date ± `windowDays` calendar days. `dose` carries its current values;
 * it is placed among the patient's other (non-voided) doses to know its place in the schedule.
 */
export function assessDose(
  state: PatientState,
  dose: { eventId: string; data: DoseAdministeredData },
  protocol: TrialProtocol = TRANSREG,
  windowDays: number = protocol.maintenanceWindowDays,
): DoseDeviation[] {
  const schedule = doseSchedule(state, protocol, windowDays, dose);
  const placed = schedule.doses.find((d) => d.eventId === dose.eventId) as ScheduledDose;
  return [...amountAndRoute(dose.eventId, dose.data, protocol), ...timing(placed, schedule, windowDays)];
}

function amountAndRoute(eventId: string, data: DoseAdministeredData, protocol: TrialProtocol): DoseDeviation[] {
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

function timing(dose: ScheduledDose, schedule: DoseSchedule, windowDays: number): DoseDeviation[] {
  if (dose.phase === 'extra-induction') {
    return [
      {
        ruleId: 'DOSE-EXTRA-INDUCTION',
        doseEventId: dose.eventId,
        actual: dose.data.administeredAt,
        message: `Extra induction dose on ${day(dose.data.administeredAt)}: induction is 5 daily doses`,
      },
    ];
  }
  if (dose.phase !== 'maintenance' || !dose.dueAt) return [];
  if (schedule.maintenanceEndsAt && utcDayNumber(dose.data.administeredAt) > utcDayNumber(schedule.maintenanceEndsAt)) {
    return [
      {
        ruleId: 'DOSE-WINDOW',
        doseEventId: dose.eventId,
        actual: dose.data.administeredAt,
        expected: `no dose after ${day(schedule.maintenanceEndsAt)}`,
        message: `Dose on ${day(dose.data.administeredAt)}, after the maintenance period ended on ${day(schedule.maintenanceEndsAt)}`,
      },
    ];
  }
  const offset = utcDayNumber(dose.data.administeredAt) - utcDayNumber(dose.dueAt);
  if (Math.abs(offset) <= windowDays) return [];
  return [
    {
      ruleId: 'DOSE-WINDOW',
      doseEventId: dose.eventId,
      dueAt: dose.dueAt,
      expected: `${day(dose.dueAt)} ± ${windowDays} days`,
      actual: dose.data.administeredAt,
      message: `Maintenance dose ${Math.abs(offset)} days ${offset < 0 ? 'early' : 'late'}: due ${day(dose.dueAt)} ± ${windowDays} days (every ${schedule.intervalDays} days), given ${day(dose.data.administeredAt)}`,
    },
  ];
}

/**
 * Maintenance doses due and not given, within the maintenance period: the due dates a later dose skipped
 * (see dose-schedule.ts), and after the last dose, due dates more than `windowDays` calendar days before
 * `asOf`. After a missed due date the schedule goes on from it. Only once induction is complete.
 */
export function missedDoses(
  state: PatientState,
  asOf: Date,
  protocol: TrialProtocol = TRANSREG,
  windowDays: number = protocol.maintenanceWindowDays,
): DoseDeviation[] {
  const schedule = doseSchedule(state, protocol, windowDays);
  const given = schedule.doses.filter((d) => Date.parse(d.data.administeredAt) <= asOf.getTime());
  if (!schedule.maintenanceEndsAt || given.length < protocol.treatment.induction.doses) return [];
  const endDay = utcDayNumber(schedule.maintenanceEndsAt);
  const asOfDay = utcDayNumber(asOf);
  const missedDueDates = given.flatMap((d) => d.skippedDueDates ?? []);
  let due = Date.parse(given[given.length - 1].data.administeredAt) + schedule.intervalDays * DAY_MS;
  while (utcDayNumber(due) <= endDay && asOfDay - utcDayNumber(due) > windowDays) {
    missedDueDates.push(new Date(due).toISOString());
    due += schedule.intervalDays * DAY_MS;
  }
  return missedDueDates.map((dueAt) => ({
    ruleId: 'DOSE-MISSED',
    dueAt,
    expected: `${day(dueAt)} ± ${windowDays} days`,
    message: `Maintenance dose due ${day(dueAt)} (every ${schedule.intervalDays} days) was not given`,
  }));
}

export interface DoseCompliance {
  /** Doses given (not voided) up to `asOf`. */
  given: number;
  /** Doses the protocol schedule calls for by `asOf`, counted from Day 1 (the first dose) on the ideal calendar. */
  expected: number;
  /** Deviations of the doses given plus missed doses. */
  deviations: number;
  missed: number;
  byRule: Partial<Record<DoseRuleId, number>>;
}

/** A summary of a patient's dosing against the protocol by `asOf`. */
export function doseCompliance(
  state: PatientState,
  asOf: Date,
  protocol: TrialProtocol = TRANSREG,
  windowDays: number = protocol.maintenanceWindowDays,
): DoseCompliance {
  const schedule = doseSchedule(state, protocol, windowDays);
  const given = schedule.doses.filter((d) => Date.parse(d.data.administeredAt) <= asOf.getTime());
  const all = [...given.flatMap((d) => assessDose(state, d, protocol, windowDays)), ...missedDoses(state, asOf, protocol, windowDays)];
  const byRule: Partial<Record<DoseRuleId, number>> = {};
  for (const d of all) byRule[d.ruleId] = (byRule[d.ruleId] ?? 0) + 1;
  return {
    given: given.length,
    expected: expectedDoses(given, schedule.intervalDays, asOf, protocol),
    deviations: all.length,
    missed: byRule['DOSE-MISSED'] ?? 0,
    byRule,
  };
}

function expectedDoses(given: ScheduledDose[], intervalDays: number, asOf: Date, protocol: TrialProtocol): number {
  if (given.length === 0) return 0;
  const day1 = utcDayNumber(given[0].data.administeredAt);
  const asOfDay = utcDayNumber(asOf);
  const { induction, maintenance } = protocol.treatment;
  const lastInductionDay = day1 + (induction.doses - 1) * induction.intervalDays;
  const inductionDue = Math.min(induction.doses, Math.floor((asOfDay - day1) / induction.intervalDays) + 1);
  const endDay = utcDayNumber(addUtcMonths(new Date(lastInductionDay * DAY_MS), maintenance.durationMonths));
  const lastDay = Math.min(asOfDay, endDay);
  const maintenanceDue = lastDay > lastInductionDay ? Math.floor((lastDay - lastInductionDay) / intervalDays) : 0;
  return inductionDue + maintenanceDue;
}

const day = (iso: string): string => iso.slice(0, 10);
