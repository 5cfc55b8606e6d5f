import { v7 as timeOrderedUuid } from 'uuid';
import { AppendOptions, ExpectedVersion, NewEvent } from './event-store';
import { InvalidAppendError } from './errors';
import { assertExpectedVersion } from './expected-version';
import { jsonForm } from './json-form';

/** One event of an append, checked and in its stored JSON form, waiting for its stream position. */
export interface PreparedEvent {
  eventId: string | null;
  type: string;
  schemaVersion: number;
  data: unknown;
  dataJson: string;
  /** The caller's metadata in stored form; the store adds recordedAt (unless given) and commandId. */
  metadata: Record<string, unknown>;
}

/** An append checked before it reaches a transaction: a malformed request fails alone, early. */
export interface AppendRequest {
  streamId: string;
  events: PreparedEvent[];
  expectedVersion: ExpectedVersion;
  commandId: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const requiredMetadata = ['userId', 'role', 'occurredAt', 'correlationId'] as const;

export function prepareAppend(streamId: string, events: NewEvent[], options: AppendOptions): AppendRequest {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new InvalidAppendError('streamId must be a non-empty string');
  if (streamId.startsWith('$')) throw new InvalidAppendError(`streamId ${streamId} starts with $, which is reserved`);
  if (!Array.isArray(events)) throw new InvalidAppendError('events must be an array');
  if (!options || typeof options !== 'object') throw new InvalidAppendError('append options are required');
  assertExpectedVersion(options.expectedVersion);
  const commandId = options.commandId ?? timeOrderedUuid();
  if (typeof commandId !== 'string' || commandId.length === 0) throw new InvalidAppendError('commandId must be a non-empty string');
  const eventIds = new Set<string>();
  const prepared = events.map((event, index) => {
    const what = `event ${index} of ${streamId}`;
    const item = prepareEvent(event, what);
    if (item.eventId !== null) {
      if (eventIds.has(item.eventId)) throw new InvalidAppendError(`${what} repeats event id ${item.eventId}`);
      eventIds.add(item.eventId);
    }
    return item;
  });
  return { streamId, events: prepared, expectedVersion: options.expectedVersion, commandId };
}

function prepareEvent(event: NewEvent, what: string): PreparedEvent {
  if (!event || typeof event !== 'object') throw new InvalidAppendError(`${what} is not an object`);
  if (typeof event.type !== 'string' || event.type.length === 0) throw new InvalidAppendError(`${what} needs a type`);
  if (!Number.isSafeInteger(event.schemaVersion) || event.schemaVersion < 1) {
    throw new InvalidAppendError(`${what} needs a schemaVersion ≥ 1`);
  }
  let eventId: string | null = null;
  if (event.eventId !== undefined) {
    if (typeof event.eventId !== 'string' || !uuid.test(event.eventId)) {
      throw new InvalidAppendError(`${what}: eventId must be a UUID, not ${JSON.stringify(event.eventId)}`);
    }
    // Lower case: the form every engine hands back, so the hash over it survives a round trip.
    eventId = event.eventId.toLowerCase();
  }
  if (event.data === undefined) throw new InvalidAppendError(`${what} has no data`);
  const data = jsonForm(event.data, `${what} data`);
  const metadata = jsonForm(event.metadata, `${what} metadata`).value;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidAppendError(`${what} needs metadata (who, when, why)`);
  }
  const fields = metadata as Record<string, unknown>;
  for (const field of requiredMetadata) {
    if (typeof fields[field] !== 'string' || fields[field] === '') {
      throw new InvalidAppendError(`${what}: metadata.${field} must be a non-empty string`);
    }
  }
  if (fields.recordedAt !== undefined && (typeof fields.recordedAt !== 'string' || Number.isNaN(Date.parse(fields.recordedAt)))) {
    throw new InvalidAppendError(`${what}: metadata.recordedAt must be an ISO-8601 date-time`);
  }
  if ('commandId' in fields) throw new InvalidAppendError(`${what}: metadata.commandId is set by the store from options.commandId`);
  return { eventId, type: event.type, schemaVersion: event.schemaVersion, data: data.value, dataJson: data.text, metadata: fields };
}
