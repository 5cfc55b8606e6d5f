import { upcast } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';

/** A stored event in its type's current schema: projections never read an old shape. */
export function inCurrentSchema(event: StoredEvent): StoredEvent {
  const current = upcast(event.type, event.schemaVersion, event.data);
  if (current.schemaVersion === event.schemaVersion && current.data === event.data) return event;
  return { ...event, schemaVersion: current.schemaVersion, data: current.data };
}
