import { hash } from 'node:crypto';
import { canonicalJson, canonicalString } from './canonical-json';
import type { StoredEvent } from './event-store';

/** The fields a hash covers: the whole envelope except the hash itself and the global position. */
export type HashedEnvelope = Pick<
  StoredEvent,
  'eventId' | 'streamId' | 'streamVersion' | 'type' | 'schemaVersion' | 'data' | 'metadata'
>;

/**
 * SHA-256 (hex) over the RFC 8785 form of
 * {eventId, streamId, streamVersion, type, schemaVersion, data, metadata, previousHash}.
 *
 * The global position is left out on purpose: it is assigned at commit, and an event's identity
 * in its stream's chain must not depend on what other streams did.
 */
export function hashEvent(envelope: HashedEnvelope, previousHash: string | null): string {
  return hash('sha256', canonicalEnvelope(envelope, previousHash), 'hex');
}

/** The exact text `hashEvent` digests; keys are written in their RFC 8785 (sorted) order. */
export function canonicalEnvelope(envelope: HashedEnvelope, previousHash: string | null): string {
  return (
    '{"data":' + canonicalJson(envelope.data) +
    ',"eventId":' + canonicalString(envelope.eventId) +
    ',"metadata":' + canonicalJson(envelope.metadata) +
    ',"previousHash":' + (previousHash === null ? 'null' : canonicalString(previousHash)) +
    ',"schemaVersion":' + canonicalJson(envelope.schemaVersion) +
    ',"streamId":' + canonicalString(envelope.streamId) +
    ',"streamVersion":' + canonicalJson(envelope.streamVersion) +
    ',"type":' + canonicalString(envelope.type) +
    '}'
  );
}
