import { v7 as timeOrderedUuid } from 'uuid';
import { AppendRequest, PreparedEvent } from './append-request';
import { EventMetadata, StoredEvent } from './event-store';
import { canonicalJson } from './canonical-json';
import { hashEvent, withCanonicalText } from './hash-chain';

/** Where a stream stands before an append: its version and the hash of its last event. */
export interface StreamHead {
  version: number;
  hash: string | null;
}

export const emptyStream: StreamHead = { version: 0, hash: null };

/**
 * The metadata an event is stored with, as its canonical JSON text and the value that text reads back as: the
 * caller's, plus recordedAt (unless given) and the command id.
 */
export function stampedMetadata(prepared: PreparedEvent, commandId: string, recordedAt: string): { text: string; value: EventMetadata } {
  const caller = prepared.metadata;
  // In canonical order ('commandId' < 'recordedAt'), merged into the caller's keys, which already are (json-form.ts):
  // canonicalJson then takes its fast path. (An object spread here costs ten times as much.)
  const added: [string, unknown][] = [
    ['commandId', commandId],
    ['recordedAt', (caller.recordedAt as string | undefined) ?? recordedAt],
  ];
  const value: Record<string, unknown> = {};
  let next = 0;
  for (const key of Object.keys(caller)) {
    while (next < added.length && added[next][0] < key) value[added[next][0]] = added[next++][1];
    if (next < added.length && added[next][0] === key) value[key] = added[next++][1];
    else value[key] = caller[key];
  }
  for (; next < added.length; next++) value[added[next][0]] = added[next][1];
  return { text: canonicalJson(value), value: value as unknown as EventMetadata };
}

/** A stored event in the making: the global position is set by the adapter when it inserts it. */
export interface SealedEvent {
  event: StoredEvent;
  dataJson: string;
  metadataJson: string;
}

/**
 * Gives each event of an append its id, stream version, full metadata and chained hash.
 * Runs inside the adapter's transaction, once the stream head is known.
 */
export function sealEvents(request: AppendRequest, head: StreamHead, recordedAt: string): SealedEvent[] {
  let previousHash = head.hash;
  return request.events.map((prepared, index) => {
    const { text: metadataJson, value: metadata } = stampedMetadata(prepared, request.commandId, recordedAt);
    const envelope = {
      // Time-ordered (v7) ids keep the event-id and command-id indexes append-mostly: random v4 keys
      // scatter B-tree inserts over the whole index, and each commit of a group then writes many more pages.
      eventId: prepared.eventId ?? timeOrderedUuid(),
      streamId: request.streamId,
      streamVersion: head.version + index + 1,
      type: prepared.type,
      schemaVersion: prepared.schemaVersion,
      data: prepared.data,
      metadata,
    };
    const hash = hashEvent(withCanonicalText(envelope, prepared.dataJson, metadataJson), previousHash);
    const event: StoredEvent = { ...envelope, globalPosition: 0, hash, previousHash };
    previousHash = hash;
    return { event, dataJson: prepared.dataJson, metadataJson };
  });
}
