import type { DiseaseCode } from '../events';

/** A trial's protocol as data: adding a trial is adding a constant of this type, not code. */
export interface TrialProtocol {
  /** Stable trial id, stored on every PatientEnrolled event. */
  readonly id: string;
  readonly title: string;
  readonly registry: Readonly<Record<string, string>>;
  readonly diseases: readonly Disease[];
  readonly sites: readonly Site[];
  /** Youngest age (years, from birth year) at enrolment. */
  readonly minimumAgeYears: number;
  readonly treatment: TreatmentSchedule;
  /** Study days with measurements; Day 0 is baseline. */
  readonly visitStudyDays: readonly number[];
  /** Default tolerance (± days) around a maintenance due date before a dose is a deviation. */
  readonly maintenanceWindowDays: number;
}

export interface Disease {
  readonly code: DiseaseCode;
  readonly name: string;
}

export interface Site {
  /** Stable id used in events and permissions. */
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly postcode: string;
}

export interface TreatmentSchedule {
  readonly drug: string;
  /** Every protocol dose, in `doseUnit`. */
  readonly dose: number;
  readonly doseUnit: string;
  /** Route code (SDTM-style abbreviation). */
  readonly route: string;
  /** Induction: one dose a day on consecutive study days, Day 1 (the first dose) to Day `days`. */
  readonly induction: {
    readonly days: number;
  };
  /**
   * Maintenance on a fixed grid counted from Day 1, not from the previous dose (a late dose does not move
   * the next due day): Day `firstDay`, then every `intervalDays`, up to Day `lastDay`.
   */
  readonly maintenance: {
    readonly firstDay: number;
    readonly intervalDays: number;
    /** Diseases with another interval (e.g. SLE every 7 days in TRANSREG). */
    readonly intervalDaysByDisease: Readonly<Partial<Record<DiseaseCode, number>>>;
    readonly lastDay: number;
  };
}

export const findDisease = (protocol: TrialProtocol, code: string): Disease | undefined => protocol.diseases.find((d) => d.code === code);

/** What a site id looks like: sites open as a trial goes on, so any id of this form is a site. */
export const SITE_ID = /^[A-Za-z0-9_-]{1,40}$/;
export const SITE_ID_RULE = '1–40 letters, digits, dashes or underscores';

export const findSite = (protocol: TrialProtocol, id: string): Site | undefined => protocol.sites.find((s) => s.id === id);

/** Days between maintenance doses for a patient with this disease. */
export const maintenanceIntervalDays = (protocol: TrialProtocol, disease: DiseaseCode): number =>
  protocol.treatment.maintenance.intervalDaysByDisease[disease] ?? protocol.treatment.maintenance.intervalDays;
