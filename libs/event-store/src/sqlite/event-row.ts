import { StoredEvent } from '../event-store';
import { withCanonicalText } from '../hash-chain';

/**
 * An `events` row as better-sqlite3 returns it in raw mode (an array, in `eventColumns` order): no
 * object with named keys is built per row, which counts when an audit reads millions.
 */
export type EventRow = [
  globalPosition: number,
  eventId: string,
  streamId: string,
  streamVersion: number,
  type: string,
  schemaVersion: number,
  data: string,
  metadata: string,
  hash: string,
  previousHash: string | null,
];

export const eventColumns = 'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash';

export function toStoredEvent(row: EventRow): StoredEvent {
  // The stored texts are the canonical forms that were hashed: verification digests them as read.
  return withCanonicalText(parsedEvent(row), row[6], row[7]);
}

/**
 * The event of a row without its canonical texts kept beside it: for readers that do not hash what
 * they read (projections), so that a batch does not hold every row's text until it is dropped. Hashing
 * such an event still works (hash-chain.ts writes the canonical form again).
 */
export function parsedEvent(row: EventRow): StoredEvent {
  return {
    eventId: row[1],
    streamId: row[2],
    streamVersion: row[3],
    type: row[4],
    schemaVersion: row[5],
    data: JSON.parse(row[6]),
    metadata: JSON.parse(row[7]),
    globalPosition: row[0],
    hash: row[8],
    previousHash: row[9],
  };
}
