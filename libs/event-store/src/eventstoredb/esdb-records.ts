import { jsonEvent, type EventData, type JSONType, type RecordedEvent } from '@eventstore/db-client';
import { EventMetadata, StoredEvent } from '../event-store';
import { SealedEvent } from '../seal';

/**
 * How Vigil events sit in EventStoreDB. A Vigil stream is an ESDB stream (`<namespace><streamId>`),
 * a Vigil event one ESDB event: same id, same type, the data as JSON, and in the ESDB metadata the
 * Vigil envelope (schema version, audit metadata, hash chain). Version = revision + 1. The global
 * position is the event's $all commit position (see esdb-event-store.ts).
 */
export interface VigilEnvelope {
  streamVersion: number;
  schemaVersion: number;
  metadata: EventMetadata;
  hash: string;
  previousHash: string | null;
}

/** What the command stream records once a command's events are stored: enough to answer it again. */
export interface CommandRecord {
  streamId: string;
  /** Version of the command's first event (versionAfter + 1 for a command without events). */
  fromVersion: number;
  count: number;
  versionAfter: number;
}

export const commandRecordedType = 'VigilCommandRecorded';
export const eventIdClaimedType = 'VigilEventIdClaimed';

export function toEsdbEvent({ event }: SealedEvent): EventData {
  const vigil: VigilEnvelope = {
    streamVersion: event.streamVersion,
    schemaVersion: event.schemaVersion,
    metadata: event.metadata,
    hash: event.hash,
    previousHash: event.previousHash,
  };
  return jsonEvent({
    id: event.eventId,
    type: event.type,
    // Any JSON value: the client sends JSON.stringify(data) and parses it back on read.
    data: event.data as JSONType,
    metadata: { vigil, $correlationId: event.metadata.correlationId, $causationId: event.metadata.causationId ?? undefined },
  });
}

/** The Vigil event an ESDB event holds, or null for anything else in the log (system, command records…). */
export function fromEsdbEvent(recorded: RecordedEvent, namespace: string): StoredEvent | null {
  const vigil = (recorded.metadata as { vigil?: VigilEnvelope } | undefined)?.vigil;
  if (!vigil || !recorded.isJson || !recorded.streamId.startsWith(namespace)) return null;
  if (!recorded.position) {
    throw new Error('EventStoreDB returned an event without its log position: Vigil needs EventStoreDB 22.6 or later');
  }
  return {
    eventId: recorded.id,
    streamId: recorded.streamId.slice(namespace.length),
    streamVersion: Number(recorded.revision) + 1,
    type: recorded.type,
    schemaVersion: vigil.schemaVersion,
    data: recorded.data,
    metadata: vigil.metadata,
    globalPosition: Number(recorded.position.commit),
    hash: vigil.hash,
    previousHash: vigil.previousHash,
  };
}
