import { alertIdOf as alertIdOfStream } from '@vigil/domain';
import type { EventMetadata, StoredEvent } from '@vigil/event-store';

/**
 * The message every channel sends for an alert event: the event's data flattened beside its ids,
 * `{eventId, type, schemaVersion, alertId, ...data, metadata}`. `schemaVersion` tells a receiver
 * which shape of `type` it reads.
 */
export interface AlertMessage {
  eventId: string;
  type: string;
  schemaVersion: number;
  alertId: string;
  metadata: EventMetadata;
  [field: string]: unknown;
}

export function alertIdOf(event: StoredEvent): string {
  const fromData = (event.data as { alertId?: unknown } | null)?.alertId;
  if (typeof fromData === 'string') return fromData;
  const fromStream = alertIdOfStream(event.streamId);
  if (fromStream !== undefined) return fromStream;
  throw new Error(`event ${event.eventId} of stream ${event.streamId} is not an alert event`);
}

export function alertMessage(event: StoredEvent): AlertMessage {
  const { eventId: _e, type: _t, schemaVersion: _s, alertId: _a, metadata: _m, ...data } = (event.data ?? {}) as Record<string, unknown>;
  return { eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion, alertId: alertIdOf(event), ...data, metadata: event.metadata };
}

/** The exact bytes sent (and signed): the same event always serialises to the same body. */
export function alertMessageBody(event: StoredEvent): string {
  return JSON.stringify(alertMessage(event));
}
