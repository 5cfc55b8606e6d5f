import { randomUUID } from 'node:crypto';
import { hashEvent, StoredEvent } from '@vigil/event-store';

export interface EventSpec {
  type: string;
  data: unknown;
  /** Clinical time; defaults to the data's collectedAt, administeredAt, onsetAt or enrolledAt. */
  occurredAt?: string;
  recordedAt: string;
  eventId?: string;
  schemaVersion?: number;
  user?: { userId: string; name: string; role: string };
  reason?: string;
}

/** A chained stream of stored events, as the store would hand it back, for pure tests. */
export function storedStream(streamId: string, specs: EventSpec[], firstPosition = 1): StoredEvent[] {
  let previousHash: string | null = null;
  return specs.map((spec, index) => {
    const data = spec.data as Record<string, unknown>;
    const clinical =
      spec.occurredAt ?? ['collectedAt', 'administeredAt', 'onsetAt', 'enrolledAt'].map((f) => data[f]).find((v) => typeof v === 'string') ?? spec.recordedAt;
    const user = spec.user ?? { userId: 'u-inv', name: 'Dr Claire Martin', role: 'investigator' };
    const envelope = {
      eventId: spec.eventId ?? randomUUID(),
      streamId,
      streamVersion: index + 1,
      type: spec.type,
      schemaVersion: spec.schemaVersion ?? (spec.type === 'LabResultRecorded' ? 2 : 1),
      data: spec.data,
      metadata: {
        userId: user.userId,
        userName: user.name,
        role: user.role,
        siteId: 'SAT',
        occurredAt: clinical as string,
        recordedAt: spec.recordedAt,
        correlationId: 'c-1',
        causationId: null,
        commandId: randomUUID(),
        ...(spec.reason ? { reason: spec.reason } : {}),
      },
    };
    const hash = hashEvent(envelope, previousHash);
    const event: StoredEvent = { ...envelope, globalPosition: firstPosition + index, hash, previousHash };
    previousHash = hash;
    return event;
  });
}

export const enrolled = (patientId = 'TR-SAT-001', enrolledAt = '2026-01-05T09:00:00.000Z') => ({
  type: 'PatientEnrolled',
  data: { patientId, trialId: 'TRANSREG', siteId: 'SAT', disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 65, enrolledAt },
});

/** A lab result's data, in canonical units already (its normalised values the same as given). */
export const labResultData = <T extends string>(
  patientId: string,
  test: T,
  value: number,
  unit: string,
  referenceRange: { low?: number; high?: number },
  collectedAt: string,
) => ({ patientId, test, value, unit, referenceRange, collectedAt, normalised: { value, unit, referenceRange } });

export const platelets = (value: number, collectedAt: string, patientId = 'TR-SAT-001') => ({
  type: 'LabResultRecorded',
  data: labResultData(patientId, 'PLAT', value, '10*9/L', { low: 150, high: 400 }, collectedAt),
});

/** A recorded result (its event id and data as recorded, or as last corrected). */
export interface RecordedLab {
  eventId: string;
  data: { patientId: string; value: number; normalised: object };
}

/** A correction of a lab result's value, recorded and clinically at `recordedAt`. */
export const labCorrection = (target: RecordedLab, newValues: RecordedLab['data'], reason: string, recordedAt: string, eventId?: string): EventSpec => ({
  type: 'LabResultCorrected',
  eventId,
  data: {
    patientId: target.data.patientId,
    originalEventId: target.eventId,
    oldValues: target.data,
    newValues,
    changedFields: ['normalised', 'value'],
    reason,
  },
  occurredAt: recordedAt,
  recordedAt,
});

/** A lab result entered in error, recorded and clinically at `recordedAt`. */
export const labVoid = (target: RecordedLab, reason: string, recordedAt: string, eventId?: string): EventSpec => ({
  type: 'LabResultEnteredInError',
  eventId,
  data: { patientId: target.data.patientId, originalEventId: target.eventId, oldValues: target.data, reason },
  occurredAt: recordedAt,
  recordedAt,
});
