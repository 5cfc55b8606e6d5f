import { randomUUID } from 'node:crypto';
import type { AdverseEventReportedData, DoseAdministeredData, LabResultRecordedData, PatientEnrolledData } from '@vigil/domain';
import { TRANSREG } from '@vigil/domain';
import type { NewEvent } from '@vigil/event-store';

/**
 * The trial as the benchmarks write it: request bodies for the HTTP API, and events in the shapes
 * the API stores (typed against @vigil/domain, so a change of shape breaks `npm run typecheck`).
 */

const day = 86_400_000;
/** Clinical dates of the benchmark cohort: enrolled 60 days ago, results collected since. */
export const enrolledAt = new Date(Math.floor((Date.now() - 60 * day) / day) * day + 9 * 3_600_000).toISOString();
const collectedAt = (n: number): string => new Date(Date.parse(enrolledAt) + day + (n % 50_000) * 60_000).toISOString();

export const patientId = (n: number): string => `TR-BEN-${String(n).padStart(5, '0')}`;
/** Patients are spread over the trial's sites, as site-scoped reads will see them. */
export const siteOf = (n: number): string => TRANSREG.sites[n % TRANSREG.sites.length].id;

export function enrolmentBody(n: number) {
  return { patientId: patientId(n), siteId: siteOf(n), disease: 'RA', sex: n % 2 ? 'F' : 'M', birthYear: 1950 + (n % 50), weightKg: 55 + (n % 40), enrolledAt };
}

/**
 * The n-th lab result a patient gets: a platelet count in range, except every `alertEvery`-th, which
 * falls below the TR-PLT threshold (80 × 10⁹/L, docs/safety-rules.md §1) and so raises an alert.
 */
export function labResultBody(n: number, alertEvery = 0) {
  const low = alertEvery > 0 && n % alertEvery === alertEvery - 1;
  return { test: 'PLAT', value: low ? 72 : 180 + (n % 150), unit: '10*9/L', referenceRange: { low: 150, high: 400 }, collectedAt: collectedAt(n) };
}

/** An alerting result: platelets at 72 × 10⁹/L, below TR-PLT. */
export const alertingLabBody = (n: number) => ({ ...labResultBody(n), value: 72 });

const metadata = (patient: number, occurredAt: string) => ({
  userId: 'bench',
  userName: 'Benchmark',
  role: 'admin',
  siteId: siteOf(patient),
  occurredAt,
  correlationId: randomUUID(),
  causationId: null,
});

export function patientEnrolled(n: number): NewEvent<PatientEnrolledData> {
  const body = enrolmentBody(n);
  return {
    type: 'PatientEnrolled',
    schemaVersion: 1,
    data: { ...body, trialId: 'TRANSREG', disease: 'RA', sex: body.sex as 'F' | 'M' },
    metadata: metadata(n, enrolledAt),
  };
}

/** A LabResultRecorded v2 as the API stores it for `labResultBody(n)`: the unit is already canonical. */
export function labResultRecorded(patient: number, n: number, alertEvery = 0): NewEvent<LabResultRecordedData> {
  const body = labResultBody(n, alertEvery);
  return {
    type: 'LabResultRecorded',
    schemaVersion: 2,
    data: {
      patientId: patientId(patient),
      test: 'PLAT',
      value: body.value,
      unit: body.unit,
      referenceRange: body.referenceRange,
      collectedAt: body.collectedAt,
      normalised: { value: body.value, unit: body.unit, referenceRange: body.referenceRange },
    },
    metadata: metadata(patient, body.collectedAt),
  };
}

export function doseAdministered(patient: number, n: number): NewEvent<DoseAdministeredData> {
  const administeredAt = collectedAt(n);
  return {
    type: 'DoseAdministered',
    schemaVersion: 1,
    data: { patientId: patientId(patient), dose: 1, unit: 'MIU', route: 'SC', lot: `L-${n % 7}`, administeredAt },
    metadata: metadata(patient, administeredAt),
  };
}

export function adverseEventReported(patient: number, n: number): NewEvent<AdverseEventReportedData> {
  const onsetAt = collectedAt(n);
  return {
    type: 'AdverseEventReported',
    schemaVersion: 1,
    data: { patientId: patientId(patient), term: 'Injection site reaction', onsetAt, grade: 1, serious: false, relatedness: 'probable', outcome: 'recovering' },
    metadata: metadata(patient, onsetAt),
  };
}
