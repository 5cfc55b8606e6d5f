import type { INestApplication } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Actor, DiseaseCode, maintenanceIntervalDays, PatientCommand, TRANSREG } from '@vigil/domain';
import { EVENT_STORE, type EventStore } from '@vigil/event-store';
import { ReadModelProgress, type AlertPage } from '@vigil/projections';
import { AcknowledgeAlertCommand, ExecutePatientCommand, ListAlerts, PatientCommandResult } from '@vigil/api';

/**
 * A simulated TRANSREG cohort (`npm start -- --demo`): two patients per disease across the six sites,
 * induction and maintenance doses on the protocol's grid, labs at the protocol visits with realistic
 * values, a few adverse events, and planned findings so that every rule of the catalogue shows at least
 * once (docs/safety-rules.md §8). Each fact is recorded as if entered on its day, so the rules judge it then
 * (a dose entered on time is never "missed" meanwhile). Deterministic (seeded) and idempotent: each command
 * has a fixed id, so loading the demo twice records nothing new.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Small seeded PRNG (mulberry32) so the demo is the same on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LabPlan {
  test: string;
  unit: string;
  low?: number;
  high?: number;
  /** Typical value in `unit`. */
  mean: number;
  spread: number;
  digits: number;
}

// Reference ranges as a hospital lab would print them; counts in 10*9/L here, converted per site below.
const PANEL: LabPlan[] = [
  { test: 'WBC', unit: '10*9/L', low: 4, high: 10, mean: 6.5, spread: 1.5, digits: 1 },
  { test: 'LYM', unit: '10*9/L', low: 1, high: 4, mean: 1.9, spread: 0.5, digits: 2 },
  { test: 'NEUT', unit: '10*9/L', low: 1.8, high: 7.5, mean: 4, spread: 1, digits: 2 },
  { test: 'PLAT', unit: '10*9/L', low: 150, high: 400, mean: 260, spread: 50, digits: 0 },
  { test: 'HGB', unit: 'g/L', low: 120, high: 160, mean: 135, spread: 10, digits: 0 },
  { test: 'ALT', unit: 'U/L', low: 7, high: 40, mean: 24, spread: 7, digits: 0 },
  { test: 'AST', unit: 'U/L', low: 8, high: 35, mean: 22, spread: 6, digits: 0 },
  { test: 'ALP', unit: 'U/L', low: 40, high: 130, mean: 75, spread: 15, digits: 0 },
  { test: 'BILI', unit: 'umol/L', low: 5, high: 21, mean: 10, spread: 3, digits: 0 },
  { test: 'CREAT', unit: 'umol/L', low: 45, high: 104, mean: 70, spread: 10, digits: 0 },
  { test: 'CRP', unit: 'mg/L', low: 0, high: 5, mean: 6, spread: 4, digits: 1 },
  { test: 'TREG_PCT', unit: '%', low: 4, high: 10, mean: 6, spread: 1, digits: 1 },
];

/** Planned findings at the protocol visits: (patient, study day, test) → value in the panel's unit. */
const FINDINGS: Record<string, number> = {
  'RA-1:29:PLAT': 72, // TR-PLT
  'SLE-1:8:LYM': 0.55, // TR-LYM, corrected below to 0.15: the alert is updated, grade 4
  'PSO-1:15:ALT': 250, // TR-ALT (6.25 × ULN)
  'AIH-1:15:ALT': 260, // no TR-ALT for AIH, but 6.5 × ULN is grade 3: CTCAE-LAB
  'BD-2:29:WBC': 1.8, // TR-WBC
  'CD-2:85:CREAT': 135, // TR-CRCL for an older, light woman
  'SS-1:29:NEUT': 0.4, // CTCAE-LAB, grade 4: no protocol threshold covers neutrophils
  'ITP-1:15:HGB': 75, // CTCAE-LAB, grade 3 anaemia
  'RA-2:29:ALT': 160, // with the bilirubin below: Hy's law (HY-LAW)
  'BD-1:29:WBC': 0.9, // TR-WBC grade 4, left open: the next dose is DOSE-DURING-CRITICAL
  'AS-2:15:AST': 190, // TR-AST (5.4 × ULN)
};

/**
 * The study days the safety officer reviews a patient's open alerts and acknowledges them, the day after each
 * finding: an acknowledged alert no longer makes the next dose DOSE-DURING-CRITICAL. BD-1's WBC alert is left
 * open until the day after the next dose.
 */
const REVIEWS: Record<string, number[]> = {
  'RA-1': [30],
  'SLE-1': [10],
  'PSO-1': [16],
  'AIH-1': [16],
  'BD-2': [30],
  'CD-2': [86],
  'SS-1': [30],
  'ITP-1': [16],
  'RA-2': [32],
  'BD-1': [44],
  'AS-2': [16],
  'TAK-2': [25],
};

/** Planned facts besides the visits, at (study day, hour): Hy's law's bilirubin, adverse events, reports, statuses. */
type Extra = { day: number; hour: number; command: PatientCommand; by?: 'data_manager' | 'safety_officer' };

interface DemoPatient {
  patientId: string;
  key: string;
  siteId: string;
  disease: DiseaseCode;
  sex: 'F' | 'M';
  birthYear: number;
  weightKg: number;
  enrolledAt: Date;
}

function cohort(now: Date): DemoPatient[] {
  const rand = random(2014);
  const sites = TRANSREG.sites.map((s) => s.id);
  const patients: DemoPatient[] = [];
  TRANSREG.diseases.forEach((disease, d) => {
    for (const n of [1, 2]) {
      const siteId = sites[(d * 2 + n) % sites.length];
      const key = `${disease.code}-${n}`;
      const daysBack = 60 + Math.floor(rand() * 200);
      // Adults of 26 to 56 (a normal creatinine leaves their clearance above 60 mL/min); CD-2 is 64 and light.
      const older = key === 'CD-2';
      patients.push({
        patientId: `TR-${siteId}-${String(d * 2 + n).padStart(3, '0')}`,
        key,
        siteId,
        disease: disease.code,
        sex: older || rand() < 0.6 ? 'F' : 'M',
        birthYear: older ? now.getUTCFullYear() - 64 : now.getUTCFullYear() - 56 + Math.floor(rand() * 30),
        weightKg: older ? 62 : Math.round(58 + rand() * 37),
        enrolledAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysBack * DAY + 9 * HOUR),
      });
    }
  });
  return patients;
}

/** Sites whose labs report counts per mm³, and creatinine in mg/dL: units are mixed, as in real life. */
const PER_MM3_SITES = new Set(['SAT', 'COC']);
const MG_DL_SITES = new Set(['HMN']);
/** A French lab writing 10⁹/L as G/L. */
const G_PER_L_SITES = new Set(['PBR']);

function labCommand(patient: DemoPatient, plan: LabPlan, studyDay: number, at: Date, value: number): PatientCommand {
  let unit = plan.unit;
  let range = { low: plan.low, high: plan.high };
  if (plan.unit === '10*9/L' && PER_MM3_SITES.has(patient.siteId)) {
    unit = '/mm3';
    value = Math.round(value * 1000);
    range = { low: (plan.low ?? 0) * 1000, high: (plan.high ?? 0) * 1000 };
  } else if (plan.unit === '10*9/L' && G_PER_L_SITES.has(patient.siteId)) {
    unit = 'G/L';
  } else if (plan.test === 'CREAT' && MG_DL_SITES.has(patient.siteId)) {
    unit = 'mg/dL';
    value = Math.round((value / 88.4) * 100) / 100;
    range = { low: Math.round(((plan.low ?? 0) / 88.4) * 100) / 100, high: Math.round(((plan.high ?? 0) / 88.4) * 100) / 100 };
  }
  return { type: 'RecordLabResult', test: plan.test, value, unit, collectedAt: at.toISOString(), referenceRange: range, studyDay };
}

/** The doses a patient gets: induction Day 1–5, then the maintenance grid, with this patient's planned deviations. */
function doseDays(patient: DemoPatient): { day: number; dose?: number; route?: string }[] {
  const { firstDay, lastDay } = TRANSREG.treatment.maintenance;
  const interval = maintenanceIntervalDays(TRANSREG, patient.disease);
  const grid = [1, 2, 3, 4, 5];
  for (let day = firstDay; day <= lastDay; day += interval) grid.push(day);
  const days: { day: number; dose?: number; route?: string }[] = grid.map((day) => ({ day }));
  switch (patient.key) {
    case 'UC-1': // DOSE-AMOUNT: 2 MIU on Day 3
      return days.map((d) => (d.day === 3 ? { ...d, dose: 2 } : d));
    case 'CD-1': // Day 3 skipped: DOSE-MISSED, and DOSE-INDUCTION-GAP on Day 4
      return days.filter((d) => d.day !== 3);
    case 'SC-1': // a second dose on Day 2 (DOSE-SAME-DAY) and a sixth daily one (DOSE-EXTRA-INDUCTION)
      return [...days, { day: 2 }, { day: 6 }];
    case 'SC-2': // Day 29's dose 4 days late (DOSE-WINDOW), Day 43's intravenous (DOSE-ROUTE)
      return days.map((d) => (d.day === 29 ? { day: 33 } : d.day === 43 ? { ...d, route: 'IV' } : d));
    case 'AS-1': // Day 43 never given: DOSE-MISSED
      return days.filter((d) => d.day !== 43);
    case 'PSO-2': // suspended on Day 40 (below), dosed on Day 43 anyway (DOSE-AFTER-STOP), resumed on Day 50
      return days;
    case 'SSC-1': // discontinued on Day 45 (below): no dose after, and none expected
      return days.filter((d) => d.day < 45);
    default:
      return days;
  }
}

function extras(patient: DemoPatient): Extra[] {
  const ae = (fields: Partial<Extract<PatientCommand, { type: 'ReportAdverseEvent' }>>): PatientCommand =>
    ({ type: 'ReportAdverseEvent', grade: 1, serious: false, ...fields }) as PatientCommand;
  switch (patient.key) {
    case 'RA-2':
      return [
        {
          day: 31,
          hour: 8,
          command: { type: 'RecordLabResult', test: 'BILI', value: 52, unit: 'umol/L', collectedAt: '', referenceRange: { low: 5, high: 21 } },
        },
      ];
    case 'SLE-1':
      return [
        {
          day: 9,
          hour: 10,
          by: 'data_manager',
          command: { type: 'CorrectLabResult', eventId: '', changes: { value: 0.15 }, reason: 'Transcription error: the lab report reads 0.15' },
        },
      ];
    case 'TAK-1':
      return [{ day: 20, hour: 14, command: ae({ term: 'Arthralgia', grade: 3, relatedness: 'possible', outcome: 'recovering' }) }];
    case 'GPA-1':
      // An SAE the site learned of on Day 40 and reported to the sponsor on Day 42: a day after its 24-hour clock ran out, so late.
      return [
        {
          day: 41,
          hour: 9,
          command: ae({ term: 'Pneumonia', grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'], relatedness: 'unlikely', outcome: 'recovering' }),
        },
        { day: 42, hour: 11, command: { type: 'RecordSponsorReport', adverseEventId: '', reportedAt: '', reference: 'SPONSOR-2026-0007' } },
      ];
    case 'UC-2':
      // A life-threatening reaction the sponsor finds related and unexpected: a 7-day SUSAR clock, then the report to the regulator.
      return [
        {
          day: 10,
          hour: 12,
          command: ae({
            term: 'Anaphylactic reaction',
            grade: 4,
            serious: true,
            seriousnessCriteria: ['life-threatening'],
            relatedness: 'probable',
            outcome: 'recovered',
          }),
        },
        { day: 10, hour: 14, command: { type: 'RecordSponsorReport', adverseEventId: '', reportedAt: '', reference: 'SPONSOR-2026-0012' } },
        {
          day: 11,
          hour: 10,
          by: 'safety_officer',
          command: { type: 'AssessAdverseEvent', adverseEventId: '', expected: false, causality: 'probable', note: 'Not listed in the SmPC at this dose' },
        },
        {
          day: 14,
          hour: 16,
          by: 'safety_officer',
          command: { type: 'RecordRegulatoryReport', adverseEventId: '', reportedAt: '', reference: 'EUDRAVIGILANCE-2026-00342' },
        },
      ];
    case 'TAK-2':
      // A serious reaction, neither fatal nor life-threatening, found related and unexpected: a 15-day SUSAR clock.
      return [
        {
          day: 22,
          hour: 10,
          command: ae({
            term: 'Erythema multiforme',
            grade: 3,
            serious: true,
            seriousnessCriteria: ['hospitalisation'],
            relatedness: 'probable',
            outcome: 'recovering',
          }),
        },
        { day: 22, hour: 12, command: { type: 'RecordSponsorReport', adverseEventId: '', reportedAt: '', reference: 'SPONSOR-2026-0015' } },
        {
          day: 24,
          hour: 11,
          by: 'safety_officer',
          command: { type: 'AssessAdverseEvent', adverseEventId: '', expected: false, causality: 'probable', note: 'No such skin reaction in the SmPC' },
        },
        {
          day: 33,
          hour: 9,
          by: 'safety_officer',
          command: { type: 'RecordRegulatoryReport', adverseEventId: '', reportedAt: '', reference: 'EUDRAVIGILANCE-2026-00377' },
        },
      ];
    case 'PSO-2':
      return [
        {
          day: 40,
          hour: 10,
          command: { type: 'ChangeTreatmentStatus', status: 'suspended', effectiveAt: '', reason: 'Herpes zoster: IL-2 suspended until healed' },
        },
        { day: 50, hour: 10, command: { type: 'ChangeTreatmentStatus', status: 'on-treatment', effectiveAt: '', reason: 'Zoster healed' } },
      ];
    case 'SSC-1':
      return [{ day: 45, hour: 10, command: { type: 'ChangeTreatmentStatus', status: 'discontinued', effectiveAt: '', reason: 'Patient moved abroad' } }];
    default:
      return [];
  }
}

/** A command and when it is recorded (and by whom, when not the site's investigator). */
interface PlannedCommand {
  recordedAt: Date;
  command: PatientCommand;
  by?: 'data_manager' | 'safety_officer';
  /** The command names a record by the id of the last one of this type recorded before it. */
  refersTo?: 'lab' | 'ae';
}

/** The safety officer's review: the patient's open alerts, acknowledged. */
interface PlannedReview {
  recordedAt: Date;
  review: string;
}

type Planned = PlannedCommand | PlannedReview;

function commandsFor(patient: DemoPatient, now: Date): Planned[] {
  const rand = random(patient.patientId.split('').reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
  const day0 = patient.enrolledAt.getTime();
  const at = (studyDay: number, hour = 0) => new Date(day0 + studyDay * DAY + hour * HOUR);
  const inPast = (d: Date) => d.getTime() < now.getTime() - HOUR;
  const planned: Planned[] = [];
  const add = (recordedAt: Date, command: PatientCommand, extra: Omit<PlannedCommand, 'recordedAt' | 'command'> = {}) => {
    if (inPast(recordedAt)) planned.push({ recordedAt, command, ...extra });
  };
  for (const day of REVIEWS[patient.key] ?? []) {
    if (inPast(at(day, 1))) planned.push({ recordedAt: at(day, 1), review: 'Reviewed with the investigator; next dose held until recovery' });
  }

  // Doses, recorded an hour after they were given.
  for (const { day, dose, route } of doseDays(patient)) {
    const when = at(day, -1);
    const lot = `IL2-2026-${String(100 + (day % 7)).padStart(4, '0')}`;
    add(new Date(when.getTime() + HOUR), { type: 'RecordDose', dose: dose ?? 1, unit: 'MIU', route: route ?? 'SC', administeredAt: when.toISOString(), lot });
  }

  // Labs at the protocol visits (Day 0 is baseline, before the first dose), resulted four hours after collection.
  for (const studyDay of TRANSREG.visitStudyDays) {
    const when = at(studyDay, -2);
    for (const plan of PANEL) {
      const found = FINDINGS[`${patient.key}:${studyDay}:${plan.test}`];
      let value = found ?? plan.mean + (rand() * 2 - 1) * plan.spread;
      if (plan.test === 'TREG_PCT' && studyDay >= 8) value *= 1.8; // the primary outcome: Tregs rise on IL-2
      value = Math.max(0, Number(value.toFixed(plan.digits)));
      add(new Date(when.getTime() + 4 * HOUR), labCommand(patient, plan, studyDay, when, value));
    }
  }

  // Adverse events: injection-site reactions in about a third of patients, some fever.
  if (rand() < 0.35) {
    const when = at(2, 4);
    add(new Date(when.getTime() + 2 * HOUR), {
      type: 'ReportAdverseEvent',
      term: 'Injection site reaction',
      onsetAt: when.toISOString(),
      grade: 1,
      serious: false,
      relatedness: 'definite',
      outcome: 'recovered',
    });
  }
  if (rand() < 0.15) {
    const when = at(3, 8);
    add(new Date(when.getTime() + 2 * HOUR), {
      type: 'ReportAdverseEvent',
      term: 'Pyrexia',
      onsetAt: when.toISOString(),
      grade: 1,
      serious: false,
      relatedness: 'probable',
      outcome: 'recovered',
    });
  }

  // The planned facts, their times filled in from the day they happen.
  for (const extra of extras(patient)) {
    const when = at(extra.day, extra.hour - 9);
    add(when, withTimes(extra.command, when), {
      ...(extra.by ? { by: extra.by } : {}),
      ...(extra.command.type === 'CorrectLabResult' ? { refersTo: 'lab' as const } : {}),
      ...('adverseEventId' in extra.command ? { refersTo: 'ae' as const } : {}),
    });
  }
  return planned.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
}

/** A planned command with its times set: an adverse event began a day before it was entered (aware 3 hours in). */
function withTimes(command: PatientCommand, when: Date): PatientCommand {
  const iso = when.toISOString();
  switch (command.type) {
    case 'RecordLabResult':
      return { ...command, collectedAt: new Date(when.getTime() - 2 * HOUR).toISOString() };
    case 'ReportAdverseEvent': {
      const onset = new Date(when.getTime() - DAY);
      return { ...command, onsetAt: onset.toISOString(), awareAt: new Date(onset.getTime() + 3 * HOUR).toISOString() };
    }
    case 'RecordDose':
      return { ...command, administeredAt: iso };
    case 'RecordSponsorReport':
    case 'RecordRegulatoryReport':
      return { ...command, reportedAt: iso };
    case 'ChangeTreatmentStatus':
      return { ...command, effectiveAt: iso };
    default:
      return command;
  }
}

export interface DemoSummary {
  patients: number;
  commands: number;
  recorded: number;
  toString(): string;
}

const ACTORS: Record<NonNullable<PlannedCommand['by']>, Omit<Actor, 'sites'>> = {
  data_manager: { userId: 'demo-data-manager', name: 'Demo data manager', role: 'data_manager' },
  safety_officer: { userId: 'demo-safety-officer', name: 'Demo safety officer', role: 'safety_officer' },
};

export async function loadDemoCohort(app: INestApplication, now = new Date()): Promise<DemoSummary> {
  const bus = app.get(CommandBus);
  const review = reviewer(app);
  const patients = cohort(now);
  let commands = 0;
  let recorded = 0;
  await Promise.all(
    patients.map(async (patient) => {
      const investigator: Actor = {
        userId: `demo-investigator-${patient.siteId}`,
        name: `Demo investigator (${patient.siteId})`,
        role: 'investigator',
        sites: [patient.siteId],
      };
      const enrol: PlannedCommand = {
        recordedAt: patient.enrolledAt,
        command: {
          type: 'EnrolPatient',
          patientId: patient.patientId,
          siteId: patient.siteId,
          disease: patient.disease,
          sex: patient.sex,
          birthYear: patient.birthYear,
          weightKg: patient.weightKg,
          enrolledAt: patient.enrolledAt.toISOString(),
        },
      };
      const last: { lab?: string; ae?: string } = {};
      for (const [n, step] of [enrol, ...commandsFor(patient, now)].entries()) {
        const commandId = `demo:${patient.patientId}:${n}`;
        if ('review' in step) {
          await review(patient.patientId, step.review, commandId);
          continue;
        }
        const command = withReference(step, last);
        const actor = step.by ? { ...ACTORS[step.by], sites: [] } : investigator;
        const result = await bus.execute<ExecutePatientCommand, PatientCommandResult>(
          new ExecutePatientCommand(patient.patientId, command, { actor, commandId, correlationId: commandId, recordedAt: step.recordedAt }),
        );
        if (command.type === 'RecordLabResult' && FINDINGS[`${patient.key}:${command.studyDay}:${command.test}`] !== undefined) last.lab = result.eventIds[0];
        if (command.type === 'ReportAdverseEvent') last.ae = result.eventIds[0];
        commands++;
        if (!result.duplicate) recorded += result.eventIds.length;
      }
    }),
  );
  return { patients: patients.length, commands, recorded, toString: () => `${patients.length} patients, ${commands} commands, ${recorded} new events` };
}

/**
 * The safety officer acknowledges the patient's open alerts, once the alerting has judged all recorded so far
 * (the alerts are raised behind the write). Acknowledged now: the alerts were raised now too.
 */
function reviewer(app: INestApplication): (patientId: string, note: string, commandId: string) => Promise<void> {
  const commands = app.get(CommandBus);
  const queries = app.get(QueryBus);
  const progress = app.get(ReadModelProgress);
  const store = app.get<symbol, EventStore>(EVENT_STORE);
  const officer: Actor = { ...ACTORS.safety_officer, sites: [] };
  return async (patientId, note, commandId) => {
    await progress.waitForPosition(await store.headPosition(), { timeoutMs: 120_000 });
    const open = await queries.execute<ListAlerts, AlertPage>(new ListAlerts({ patientId, status: 'open', limit: 500 }, 'all'));
    for (const alert of open.items) {
      const id = `${commandId}:${alert.alertId}`;
      await commands.execute(new AcknowledgeAlertCommand(alert.alertId, note, { actor: officer, commandId: id, correlationId: id }));
    }
  };
}

/** A correction names the planned finding it corrects; a report or assessment, the adverse event before it. */
function withReference(step: PlannedCommand, last: { lab?: string; ae?: string }): PatientCommand {
  const { command } = step;
  if (step.refersTo === 'lab' && command.type === 'CorrectLabResult') return { ...command, eventId: last.lab ?? '' };
  if (step.refersTo === 'ae' && 'adverseEventId' in command) return { ...command, adverseEventId: last.ae ?? '' } as PatientCommand;
  return command;
}
