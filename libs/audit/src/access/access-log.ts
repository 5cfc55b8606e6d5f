import { randomUUID } from 'node:crypto';
import type { Actor } from '@vigil/domain';
import type { EventStore, StoredEvent } from '@vigil/event-store';
import { utc } from '../history/utc';

/**
 * Who looked at which patient's record, and when (ICH E6(R3) §4.2). Kept in a stream of its own per
 * patient, `access-<patientId>`: the patient's stream version is its ETag, and a read must not move it.
 */
export const PATIENT_RECORD_VIEWED = 'PatientRecordViewed';
export const accessStream = (patientId: string): string => `access-${patientId}`;

/** Which view of the record was read: the audit views, and the current record, its raw events, its safety summary. */
export type PatientRecordView = 'history' | 'history-export' | 'state' | 'record' | 'events' | 'safety';

export interface PatientRecordViewedData {
  patientId: string;
  view: PatientRecordView;
  /** The query the view was read with (e.g. `{asOf: …}` or `{format: 'csv'}`). */
  query: Record<string, string>;
}

export interface PatientAccess {
  actor: Actor;
  patientId: string;
  /** The patient's site, recorded with the access. */
  siteId: string | null;
  view: PatientRecordView;
  query: Record<string, string>;
  correlationId?: string;
}

/** Appends one `PatientRecordViewed` event; a read that cannot be recorded must fail, not go unseen. */
export async function recordPatientAccess(store: EventStore, access: PatientAccess): Promise<StoredEvent> {
  const data: PatientRecordViewedData = { patientId: access.patientId, view: access.view, query: access.query };
  const result = await store.append(
    accessStream(access.patientId),
    [
      {
        type: PATIENT_RECORD_VIEWED,
        schemaVersion: 1,
        data,
        metadata: {
          userId: access.actor.userId,
          userName: access.actor.name,
          role: access.actor.role,
          siteId: access.siteId,
          occurredAt: new Date().toISOString(),
          correlationId: access.correlationId ?? randomUUID(),
          causationId: null,
        },
      },
    ],
    { expectedVersion: 'any' },
  );
  return result.events[0];
}

export interface AccessLogEntry {
  eventId: string;
  /** UTC. */
  viewedAt: string;
  viewer: { userId: string; name: string | null; role: string };
  view: string;
  query: Record<string, string>;
}

export interface AccessLog {
  patientId: string;
  entries: AccessLogEntry[];
}

export function accessLogOf(patientId: string, stream: readonly StoredEvent[]): AccessLog {
  const entries = stream
    .filter((event) => event.type === PATIENT_RECORD_VIEWED)
    .map((event) => {
      const data = event.data as PatientRecordViewedData;
      return {
        eventId: event.eventId,
        viewedAt: utc(event.metadata.recordedAt),
        viewer: { userId: event.metadata.userId, name: event.metadata.userName ?? null, role: event.metadata.role },
        view: data.view,
        query: data.query ?? {},
      };
    });
  return { patientId, entries };
}
