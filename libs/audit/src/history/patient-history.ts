import type { StoredEvent } from '@vigil/event-store';
import { AuditEntry, auditEntryOf } from './audit-entry';

export interface PatientHistory {
  patientId: string;
  /** Every event of the patient's stream, in stream order. */
  entries: AuditEntry[];
}

export function patientHistory(patientId: string, stream: readonly StoredEvent[]): PatientHistory {
  return { patientId, entries: stream.map(auditEntryOf) };
}
