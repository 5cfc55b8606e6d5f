import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  alertIdFor,
  alertStream,
  LAB_TESTS,
  patientStream,
  TRANSREG,
  type AdverseEventReportedData,
  type AlertAcknowledgedData,
  type AlertRaisedData,
  type DoseAdministeredData,
  type LabResultRecordedData,
  type LabTestCode,
  type PatientEnrolledData,
} from '@vigil/domain';
import { createSqliteEventStore, type NewEvent } from '@vigil/event-store';
import type { BenchContext } from '../scenario';
import { nowMs } from './stats';

/**
 * The trial the safety report is measured on: `patients` patients of every disease and site, each with an
 * equal share of `events`: an enrolment, then lab results of eight tests every 8 hours (1 in 50 below a
 * protocol threshold, each of those raising an alert in its own stream, two in three acknowledged a few hours
 * later), a dose every tenth event, an adverse event every hundredth (1 in 10 of them serious). Alert events
 * count in `events`. Written through the SQLite adapter, so hashes, chains and positions are real.
 */
export interface ReportDataset {
  file: string;
  events: number;
  patients: number;
  alerts: number;
}

const HOUR = 3_600_000;
const EVENTS_PER_APPEND = 100;
const IN_FLIGHT = 32;
const day0 = Math.floor((Date.now() - 400 * 24 * HOUR) / (24 * HOUR)) * 24 * HOUR + 9 * HOUR;

/** Tests in turn, with a typical value and the value that crosses (or would cross) the protocol threshold. */
const PANEL: { test: LabTestCode; normal: number; low?: number; high?: number; crossing: number }[] = [
  { test: 'PLAT', normal: 250, low: 150, high: 400, crossing: 72 },
  { test: 'WBC', normal: 6.5, low: 4, high: 10, crossing: 1.8 },
  { test: 'LYM', normal: 1.9, low: 1, high: 4, crossing: 0.5 },
  { test: 'ALT', normal: 24, low: 7, high: 40, crossing: 260 },
  { test: 'AST', normal: 22, low: 8, high: 35, crossing: 190 },
  { test: 'NEUT', normal: 4, low: 1.8, high: 7.5, crossing: 0.4 },
  { test: 'HGB', normal: 135, low: 120, high: 160, crossing: 75 },
  { test: 'CRP', normal: 3, low: 0, high: 5, crossing: 40 },
];
const RULE_OF: Partial<Record<LabTestCode, string>> = { PLAT: 'TR-PLT', WBC: 'TR-WBC', LYM: 'TR-LYM', ALT: 'TR-ALT', AST: 'TR-AST' };

export const reportPatientId = (n: number): string => `TR-RPT-${String(n).padStart(5, '0')}`;

const metadata = (siteId: string, occurredAt: string) => ({
  userId: 'bench',
  userName: 'Benchmark',
  role: 'admin',
  siteId,
  occurredAt,
  correlationId: randomUUID(),
});

export function sharedReportDataset(bench: BenchContext, events: number, patients: number): Promise<ReportDataset> {
  return bench.shared(`report-dataset-${events}-${patients}`, () => seed(bench, events, patients));
}

async function seed(bench: BenchContext, total: number, patients: number): Promise<ReportDataset> {
  const file = join(bench.freshDir(`report-dataset-${total}`), 'events.sqlite');
  const store = await createSqliteEventStore({ file });
  const started = nowMs();
  const plan = appendsOf(total, patients);
  let alerts = 0;
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let job = plan.next(); !job.done; job = plan.next()) {
          await store.append(job.value.streamId, job.value.events, { expectedVersion: 'any', commandId: uuid() });
          if (job.value.streamId.startsWith('alert-')) alerts++;
        }
      }),
    );
  } finally {
    await store.close();
  }
  bench.log(`seeded ${total} events (${patients} patients, ${alerts} alerts) in ${((nowMs() - started) / 1000).toFixed(1)} s`);
  return { file, events: total, patients, alerts };
}

let sequence = Date.now() * 4096;
const node = randomBytes(8).toString('hex');
/** Time-ordered ids (v7 layout): seeding a million events takes seconds, not minutes (as bench/support/dataset.ts). */
function uuid(): string {
  const count = (sequence++).toString(16).padStart(15, '0').slice(-15);
  return `${count.slice(0, 8)}-${count.slice(8, 12)}-7${count.slice(12, 15)}-8${node.slice(0, 3)}-${node.slice(3, 15).padEnd(12, '0')}`;
}

/** The appends, patient by patient in turn, 100 events at a time; an alerting result's alert stream right after it. */
function* appendsOf(total: number, patients: number): Generator<{ streamId: string; events: NewEvent[] }> {
  const next = Array.from({ length: patients }, () => 0);
  let written = 0;
  for (let patient = 0; written < total; patient = (patient + 1) % patients) {
    const events: NewEvent[] = [];
    const alerting: NewEvent[][] = [];
    while (events.length < EVENTS_PER_APPEND && written + events.length + alerting.flat().length < total) {
      const n = next[patient]++;
      const event = eventOf(patient, n);
      const eventId = uuid();
      events.push({ ...event, eventId });
      const alert = event.type === 'LabResultRecorded' ? alertFor(patient, n, eventId, event.data as LabResultRecordedData) : null;
      if (alert && written + events.length + alerting.flat().length + alert.length <= total) alerting.push(alert);
    }
    written += events.length;
    yield { streamId: patientStream(reportPatientId(patient)), events };
    for (const alert of alerting) {
      written += alert.length;
      yield { streamId: alertStream((alert[0].data as AlertRaisedData).alertId), events: alert };
    }
  }
}

const siteOf = (patient: number) => TRANSREG.sites[patient % TRANSREG.sites.length].id;
const at = (n: number) => new Date(day0 + n * 8 * HOUR).toISOString();

function eventOf(patient: number, n: number): NewEvent {
  const patientId = reportPatientId(patient);
  const siteId = siteOf(patient);
  if (n === 0) {
    const data: PatientEnrolledData = {
      patientId,
      trialId: TRANSREG.id,
      siteId,
      disease: TRANSREG.diseases[patient % TRANSREG.diseases.length].code,
      sex: patient % 2 ? 'F' : 'M',
      birthYear: 1950 + (patient % 50),
      weightKg: 55 + (patient % 40),
      enrolledAt: at(0),
    };
    return { type: 'PatientEnrolled', schemaVersion: 1, data, metadata: metadata(siteId, at(0)) };
  }
  if (n % 100 === 0) {
    const serious = n % 1000 === 0 || (n / 100) % 10 === 3;
    const data: AdverseEventReportedData = {
      patientId,
      term: serious ? 'Pneumonia' : n % 300 === 0 ? 'Fever' : 'Injection site reaction',
      onsetAt: at(n),
      grade: serious ? 3 : 1 + (n % 2),
      serious,
      ...(serious ? { seriousnessCriteria: ['hospitalisation' as const] } : {}),
      relatedness: 'possible',
      outcome: 'recovering',
    };
    return { type: 'AdverseEventReported', schemaVersion: 1, data, metadata: metadata(siteId, at(n)) };
  }
  if (n % 10 === 0) {
    const data: DoseAdministeredData = { patientId, dose: 1, unit: 'MIU', route: 'SC', lot: `IL2-${n % 7}`, administeredAt: at(n) };
    return { type: 'DoseAdministered', schemaVersion: 1, data, metadata: metadata(siteId, at(n)) };
  }
  const panel = PANEL[n % PANEL.length];
  const value = n % 50 === 7 ? panel.crossing : panel.normal * (0.9 + ((n * 7919) % 200) / 1000);
  const range = { ...(panel.low !== undefined ? { low: panel.low } : {}), ...(panel.high !== undefined ? { high: panel.high } : {}) };
  const unit = LAB_TESTS[panel.test].canonicalUnit;
  const data: LabResultRecordedData = {
    patientId,
    test: panel.test,
    ...(LAB_TESTS[panel.test].loinc ? { loinc: LAB_TESTS[panel.test].loinc as string } : {}),
    value,
    unit,
    referenceRange: range,
    collectedAt: at(n),
    normalised: { value, unit, referenceRange: range },
  };
  return { type: 'LabResultRecorded', schemaVersion: 2, data, metadata: metadata(siteId, at(n)) };
}

/** The alert a crossing result raises (as the alerting reactor would), acknowledged 2 times in 3, a few hours later. */
function alertFor(patient: number, n: number, eventId: string, lab: LabResultRecordedData): NewEvent[] | null {
  const ruleId = RULE_OF[lab.test];
  if (n % 50 !== 7 || !ruleId) return null;
  const alertId = alertIdFor(eventId, ruleId);
  const siteId = siteOf(patient);
  const raisedAt = new Date(Date.parse(lab.collectedAt) + HOUR).toISOString();
  const raised: AlertRaisedData = {
    alertId,
    ruleId,
    patientId: reportPatientId(patient),
    siteId,
    triggeredBy: eventId,
    subject: `lab/${eventId}`,
    value: lab.value,
    unit: lab.unit,
    normalisedValue: lab.normalised.value,
    normalisedUnit: lab.normalised.unit,
    threshold: null,
    thresholdUnit: null,
    grade: 3,
    severity: 'critical',
    message: `${lab.test} crossed ${ruleId}`,
    raisedAt,
  };
  const events: NewEvent[] = [{ type: 'AlertRaised', schemaVersion: 1, data: raised, metadata: metadata(siteId, raisedAt) }];
  if (n % 3 !== 0) {
    const acknowledgedAt = new Date(Date.parse(raisedAt) + (1 + (n % 20)) * HOUR).toISOString();
    const ack: AlertAcknowledgedData = { alertId, by: { userId: 'so1', name: 'Safety officer', role: 'safety_officer' }, acknowledgedAt };
    events.push({ type: 'AlertAcknowledged', schemaVersion: 1, data: ack, metadata: metadata(siteId, acknowledgedAt) });
  }
  return events;
}
