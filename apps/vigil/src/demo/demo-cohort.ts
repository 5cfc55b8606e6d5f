import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Actor, DiseaseCode, PatientCommand, TRANSREG } from '@vigil/domain';
import { ExecutePatientCommand, PatientCommandResult } from '@vigil/api';

/**
 * A simulated TRANSREG cohort (`npm start -- --demo`): two patients per disease across the six sites,
 * induction and maintenance doses on the protocol schedule, labs at the protocol visits with
 * realistic values, a few adverse events, and a handful of planned safety findings so that alerts
 * appear. Deterministic (seeded) and idempotent: each command has a fixed id, so loading the demo
 * twice records nothing new.
 */

const DAY = 86_400_000;

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
  { test: 'CREAT', unit: 'umol/L', low: 45, high: 104, mean: 75, spread: 12, digits: 0 },
  { test: 'CRP', unit: 'mg/L', low: 0, high: 5, mean: 6, spread: 4, digits: 1 },
  { test: 'TREG_PCT', unit: '%', low: 4, high: 10, mean: 6, spread: 1, digits: 1 },
];

/** Planned findings: (patient index, study day, test) → value in the panel's unit. */
const FINDINGS: Record<string, number> = {
  'RA-1:29:PLAT': 72, // TR-PLT
  'SLE-1:8:LYM': 0.5, // TR-LYM
  'PSO-1:15:ALT': 250, // TR-ALT (6.25 × ULN)
  'AIH-1:15:ALT': 260, // no alert: transaminase thresholds do not apply to AIH
  'BD-2:29:WBC': 1.8, // TR-WBC
  'CD-2:85:CREAT': 135, // TR-CRCL for an older, light woman
};

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
      const older = key === 'CD-2';
      const daysBack = 60 + Math.floor(rand() * 200);
      patients.push({
        patientId: `TR-${siteId}-${String(d * 2 + n).padStart(3, '0')}`,
        key,
        siteId,
        disease: disease.code,
        sex: older || rand() < 0.6 ? 'F' : 'M',
        birthYear: older ? 1946 : 1950 + Math.floor(rand() * 50),
        weightKg: older ? 52 : Math.round(55 + rand() * 40),
        enrolledAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysBack * DAY + 9 * 3_600_000),
      });
    }
  });
  return patients;
}

/** Sites whose labs report counts per mm³, and creatinine in mg/dL: units are mixed, as in real life. */
const PER_MM3_SITES = new Set(['SAT', 'COC']);
const MG_DL_SITES = new Set(['HMN']);

function labCommand(patient: DemoPatient, plan: LabPlan, studyDay: number, at: Date, value: number): PatientCommand {
  let unit = plan.unit;
  let range = { low: plan.low, high: plan.high };
  if (plan.unit === '10*9/L' && PER_MM3_SITES.has(patient.siteId)) {
    unit = '/mm3';
    value = Math.round(value * 1000);
    range = { low: (plan.low ?? 0) * 1000, high: (plan.high ?? 0) * 1000 };
  } else if (plan.test === 'CREAT' && MG_DL_SITES.has(patient.siteId)) {
    unit = 'mg/dL';
    value = Math.round((value / 88.4) * 100) / 100;
    range = { low: Math.round(((plan.low ?? 0) / 88.4) * 100) / 100, high: Math.round(((plan.high ?? 0) / 88.4) * 100) / 100 };
  }
  return { type: 'RecordLabResult', test: plan.test, value, unit, collectedAt: at.toISOString(), referenceRange: range, studyDay };
}

function commandsFor(patient: DemoPatient, now: Date): PatientCommand[] {
  const rand = random(patient.patientId.split('').reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
  const day0 = patient.enrolledAt.getTime();
  const at = (studyDay: number, hour = 0) => new Date(day0 + studyDay * DAY + hour * 3_600_000);
  const past = (d: Date) => d.getTime() < now.getTime() - 3_600_000;
  const commands: { at: number; command: PatientCommand }[] = [];

  // Doses: induction Day 1–5, then maintenance every 15 days (7 for SLE) for six months (docs/protocol.md).
  const interval = TRANSREG.treatment.maintenance.intervalDaysByDisease[patient.disease] ?? TRANSREG.treatment.maintenance.intervalDays;
  const doseDays = [1, 2, 3, 4, 5];
  for (let day = 5 + interval; day <= 5 + 183; day += interval) doseDays.push(day);
  for (const day of doseDays) {
    const when = at(day, -1);
    if (!past(when)) break;
    const dose = patient.key === 'UC-1' && day === 3 ? 2 : 1; // one off-protocol dose: a deviation to flag
    commands.push({
      at: when.getTime(),
      command: {
        type: 'RecordDose',
        dose,
        unit: 'MIU',
        route: 'SC',
        administeredAt: when.toISOString(),
        lot: `IL2-${2026}-${String(100 + (day % 7)).padStart(4, '0')}`,
      },
    });
  }

  // Labs at the protocol visits (Day 0 is baseline, before the first dose).
  for (const studyDay of TRANSREG.visitStudyDays) {
    const when = at(studyDay, -2);
    if (!past(when)) break;
    for (const plan of PANEL) {
      const planned = FINDINGS[`${patient.key}:${studyDay}:${plan.test}`];
      let value = planned ?? plan.mean + (rand() * 2 - 1) * plan.spread;
      if (plan.test === 'TREG_PCT' && studyDay >= 8) value *= 1.8; // the primary outcome: Tregs rise on IL-2
      value = Math.max(0, Number(value.toFixed(plan.digits)));
      commands.push({ at: when.getTime(), command: labCommand(patient, plan, studyDay, when, value) });
    }
  }

  // Adverse events: injection-site reactions in about a third of patients, some fever, one SAE.
  if (rand() < 0.35) {
    const when = at(2, 4);
    commands.push({
      at: when.getTime(),
      command: {
        type: 'ReportAdverseEvent',
        term: 'Injection site reaction',
        onsetAt: when.toISOString(),
        grade: 1,
        serious: false,
        relatedness: 'definite',
        outcome: 'recovered',
      },
    });
  }
  if (rand() < 0.15) {
    const when = at(3, 8);
    commands.push({
      at: when.getTime(),
      command: {
        type: 'ReportAdverseEvent',
        term: 'Pyrexia',
        onsetAt: when.toISOString(),
        grade: 1,
        serious: false,
        relatedness: 'probable',
        outcome: 'recovered',
      },
    });
  }
  if (patient.key === 'GPA-1' && past(at(40))) {
    const when = at(40, 6);
    commands.push({
      at: when.getTime(),
      command: {
        type: 'ReportAdverseEvent',
        term: 'Pneumonia',
        onsetAt: when.toISOString(),
        grade: 3,
        serious: true,
        seriousnessCriteria: ['hospitalisation'],
        relatedness: 'unlikely',
        outcome: 'recovering',
      },
    });
  }
  return commands.sort((a, b) => a.at - b.at).map((c) => c.command);
}

export interface DemoSummary {
  patients: number;
  commands: number;
  recorded: number;
  toString(): string;
}

export async function loadDemoCohort(app: INestApplication, now = new Date()): Promise<DemoSummary> {
  const bus = app.get(CommandBus);
  const patients = cohort(now);
  let commands = 0;
  let recorded = 0;
  await Promise.all(
    patients.map(async (patient) => {
      const actor: Actor = {
        userId: `demo-investigator-${patient.siteId}`,
        name: `Demo investigator (${patient.siteId})`,
        role: 'investigator',
        sites: [patient.siteId],
      };
      const enrol: PatientCommand = {
        type: 'EnrolPatient',
        patientId: patient.patientId,
        siteId: patient.siteId,
        disease: patient.disease,
        sex: patient.sex,
        birthYear: patient.birthYear,
        weightKg: patient.weightKg,
        enrolledAt: patient.enrolledAt.toISOString(),
      };
      const all = [enrol, ...commandsFor(patient, now)];
      for (const [n, command] of all.entries()) {
        const commandId = `demo:${patient.patientId}:${n}`;
        const result = await bus.execute<ExecutePatientCommand, PatientCommandResult>(
          new ExecutePatientCommand(patient.patientId, command, { actor, commandId, correlationId: commandId }),
        );
        commands++;
        if (!result.duplicate) recorded += result.eventIds.length;
      }
    }),
  );
  return { patients: patients.length, commands, recorded, toString: () => `${patients.length} patients, ${commands} commands, ${recorded} new events` };
}
