import type { StoredEvent } from '@vigil/event-store';
import { changesOf, FieldChange } from './changes';
import { summaryOf } from './summary';
import { utc } from './utc';

export interface RecordedBy {
  userId: string;
  name: string | null;
  role: string;
  siteId: string | null;
}

/**
 * One event of the trail as a person reads it (21 CFR 11.10(e), docs/safety-rules.md §6): who recorded
 * what, when (UTC, clinically and in Vigil), why, and for a correction the old and new values.
 * `data` is the event exactly as stored: originals are never rewritten for display.
 */
export interface AuditEntry {
  version: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  /** When it happened clinically (administration, collection, onset…), UTC. */
  occurredAt: string;
  /** When Vigil recorded it, UTC. */
  recordedAt: string;
  recordedBy: RecordedBy;
  summary: string;
  data: unknown;
  reason?: string;
  /** Corrections: each field's old and new value. */
  changes?: FieldChange[];
  /** Corrections and voids: the event whose record they change. */
  correctsEventId?: string;
  /** The event's link in its stream's hash chain (verifiable with `GET /audit/verify`). */
  hash: string;
}

export function auditEntryOf(event: StoredEvent): AuditEntry {
  const { metadata } = event;
  const data = event.data as Record<string, unknown> | null;
  const reason = metadata.reason ?? (typeof data?.reason === 'string' ? data.reason : undefined);
  const changes = changesOf(event.data);
  const corrects = typeof data?.originalEventId === 'string' ? data.originalEventId : undefined;
  return {
    version: event.streamVersion,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: utc(metadata.occurredAt),
    recordedAt: utc(metadata.recordedAt),
    recordedBy: { userId: metadata.userId, name: metadata.userName ?? null, role: metadata.role, siteId: metadata.siteId ?? null },
    summary: summaryOf(event),
    data: event.data,
    ...(reason !== undefined ? { reason } : {}),
    ...(changes !== undefined ? { changes } : {}),
    ...(corrects !== undefined ? { correctsEventId: corrects } : {}),
    hash: event.hash,
  };
}
