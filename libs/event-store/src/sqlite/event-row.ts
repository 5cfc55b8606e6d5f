import { StoredEvent } from '../event-store';

/** An `events` row as better-sqlite3 returns it. */
export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  hash: string;
  previous_hash: string | null;
}

export const eventColumns =
  'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash';

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    globalPosition: row.global_position,
    hash: row.hash,
    previousHash: row.previous_hash,
  };
}
