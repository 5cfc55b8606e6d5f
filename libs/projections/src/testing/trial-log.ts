import { randomBytes } from 'node:crypto';
import { alertIdFor, alertStream, patientStream, type AlertRaisedData, type LabResultRecordedData } from '@vigil/domain';
import type { EventStore, NewEvent } from '@vigil/event-store';

/**
 * A trial's log for rebuild benchmarks and tests, written in bulk through the store port: patients
 * enrolled, then per patient lab results (platelets; 1 in 50 below TR-PLT, each followed by its
 * AlertRaised in its own stream, keyed `alertIdFor(lab, 'TR-PLT')` as the alerting reactor keys it, so
 * a replay finds every alert already raised and appends nothing), first the protocol's 18 doses (on its
 * grid: no deviation alerts), an adverse event every
 * 100. `perAppend` events of one patient go in one append before the next patient's turn.
 */
export interface TrialLogShape {
  events: number;
  patients: number;
  perAppend: number;
}

const DAY = 86_400_000;
const enrolledAt = '2026-01-05T09:00:00.000Z';
const collectedAt = (n: number): string => new Date(Date.parse(enrolledAt) + DAY + (n % 50_000) * 60_000).toISOString();
/** docs/protocol.md: 5 daily induction doses (Day 1–5), then Day 15, 29, … 183 (as the protocol wants: no deviation alerts). */
const DOSES = 18;
const doseDay = (k: number): string => new Date(Date.parse(enrolledAt) + (k < 5 ? 1 + k : 15 + 14 * (k - 5)) * DAY).toISOString();
export const trialLogPatientId = (p: number): string => `TR-BEN-${String(p).padStart(5, '0')}`;
const SITES = ['SAT', 'PSL'];

let sequence = Date.now() * 4096;
const node = randomBytes(8).toString('hex');
/** Time-ordered UUIDs (v7 layout): seeding a million events takes seconds, not minutes. */
function orderedUuid(): string {
  const count = (sequence++).toString(16).padStart(15, '0').slice(-15);
  return `${count.slice(0, 8)}-${count.slice(8, 12)}-7${count.slice(12, 15)}-8${node.slice(0, 3)}-${node.slice(3, 15).padEnd(12, '0')}`;
}

/** Recorded when it happened, as a site entering data on the day would: judged then, a dose to come is not yet missed. */
const meta = (p: number, occurredAt: string, userId = 'bench', role = 'investigator') => ({
  userId,
  role,
  siteId: SITES[p % SITES.length],
  occurredAt,
  recordedAt: occurredAt,
  correlationId: orderedUuid(),
  causationId: null,
});

function patientEvent(p: number, n: number): NewEvent {
  const eventId = orderedUuid();
  if (n === 0) {
    return {
      eventId,
      type: 'PatientEnrolled',
      schemaVersion: 1,
      data: {
        patientId: trialLogPatientId(p),
        trialId: 'TRANSREG',
        siteId: SITES[p % SITES.length],
        disease: 'RA',
        sex: p % 2 ? 'F' : 'M',
        birthYear: 1950 + (p % 50),
        weightKg: 55 + (p % 40),
        enrolledAt,
      },
      metadata: meta(p, enrolledAt),
    };
  }
  const at = collectedAt(n);
  if (n % 100 === 0) {
    return {
      eventId,
      type: 'AdverseEventReported',
      schemaVersion: 1,
      data: {
        patientId: trialLogPatientId(p),
        term: 'Injection site reaction',
        onsetAt: at,
        grade: 1,
        serious: false,
        relatedness: 'probable',
        outcome: 'recovering',
      },
      metadata: meta(p, at),
    };
  }
  if (n <= DOSES) {
    const administeredAt = doseDay(n - 1);
    return {
      eventId,
      type: 'DoseAdministered',
      schemaVersion: 1,
      data: { patientId: trialLogPatientId(p), dose: 1, unit: 'MIU', route: 'SC', lot: `L-${n % 7}`, administeredAt },
      metadata: meta(p, administeredAt),
    };
  }
  const value = n % 50 === 49 ? 72 : 180 + (n % 150);
  const range = { low: 150, high: 400 };
  const data: LabResultRecordedData = {
    patientId: trialLogPatientId(p),
    test: 'PLAT',
    value,
    unit: '10*9/L',
    referenceRange: range,
    collectedAt: at,
    normalised: { value, unit: '10*9/L', referenceRange: range },
  };
  return { eventId, type: 'LabResultRecorded', schemaVersion: 2, data, metadata: meta(p, at) };
}

function alertFor(p: number, lab: NewEvent): NewEvent {
  const data = lab.data as LabResultRecordedData;
  const alertId = alertIdFor(lab.eventId as string, 'TR-PLT');
  const alert: AlertRaisedData = {
    alertId,
    ruleId: 'TR-PLT',
    patientId: data.patientId,
    siteId: SITES[p % SITES.length],
    triggeredBy: lab.eventId as string,
    value: data.value,
    unit: data.unit,
    normalisedValue: data.normalised.value,
    normalisedUnit: data.normalised.unit,
    threshold: 80,
    thresholdUnit: '10*9/L',
    grade: 2,
    severity: 'warning',
    message: `Platelets ${data.value} 10*9/L below 80 10*9/L (TR-PLT)`,
    raisedAt: data.collectedAt,
  };
  return {
    eventId: orderedUuid(),
    type: 'AlertRaised',
    schemaVersion: 1,
    data: alert,
    metadata: { ...meta(p, data.collectedAt, 'vigil:safety-rules', 'system'), causationId: lab.eventId },
  };
}

function* appends(shape: TrialLogShape): Generator<{ streamId: string; events: NewEvent[] }> {
  const next = new Array<number>(shape.patients).fill(0);
  let written = 0;
  for (let p = 0; written < shape.events; p = (p + 1) % shape.patients) {
    const events: NewEvent[] = [];
    const alerts: NewEvent[] = [];
    while (events.length < shape.perAppend && written + events.length + alerts.length < shape.events) {
      const event = patientEvent(p, next[p]++);
      events.push(event);
      if (event.type === 'LabResultRecorded' && (event.data as LabResultRecordedData).value < 80 && written + events.length + alerts.length < shape.events) {
        alerts.push(alertFor(p, event));
      }
    }
    written += events.length + alerts.length;
    yield { streamId: patientStream(trialLogPatientId(p)), events };
    for (const alert of alerts) yield { streamId: alertStream((alert.data as AlertRaisedData).alertId), events: [alert] };
  }
}

/** Appends the log (32 appends in flight, so the store's group commit shares fsyncs). */
export async function writeTrialLog(store: EventStore, shape: TrialLogShape, onProgress?: (written: number) => void): Promise<void> {
  const plan = appends(shape);
  let written = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let job = plan.next(); !job.done; job = plan.next()) {
        await store.append(job.value.streamId, job.value.events, { expectedVersion: 'any', commandId: orderedUuid() });
        written += job.value.events.length;
        onProgress?.(written);
      }
    }),
  );
}
