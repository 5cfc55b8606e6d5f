import { EventMetadata, StoredEvent } from '../event-store';

/** An `events` row as node-postgres returns it: bigint as text, json already parsed. */
export interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  hash: string;
  previous_hash: string | null;
}

export const eventColumns = 'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash';

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    globalPosition: Number(row.global_position),
    hash: row.hash,
    previousHash: row.previous_hash,
  };
}
