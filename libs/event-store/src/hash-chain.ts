import { hash } from 'node:crypto';
import { canonicalJson, canonicalString } from './canonical-json';
import type { StoredEvent } from './event-store';

/** The fields a hash covers: the whole envelope except the hash itself and the global position. */
export type HashedEnvelope = Pick<StoredEvent, 'eventId' | 'streamId' | 'streamVersion' | 'type' | 'schemaVersion' | 'data' | 'metadata'>;

/**
 * SHA-256 (hex) over the RFC 8785 form of
 * {eventId, streamId, streamVersion, type, schemaVersion, data, metadata, previousHash}.
 *
 * The global position is left out on purpose: it is assigned at commit, and an event's identity
 * in its stream's chain must not depend on what other streams did.
 */
export function hashEvent(envelope: HashedEnvelope, previousHash: string | null): string {
  return hashEnvelope(canonicalEnvelope(envelope, previousHash));
}

/** SHA-256 (hex) of an envelope already in its canonical text (`canonicalEnvelope`, a `ChainRecord`'s). */
export function hashEnvelope(canonicalText: string): string {
  return hash('sha256', canonicalText, 'hex');
}

/** Canonical texts an envelope's data and metadata were stored as (or were just written to). */
const canonicalTexts = new WeakMap<object, { data: string; metadata: string }>();

/**
 * Records that `envelope`'s data and metadata are exactly these RFC 8785 texts (the bytes stored), so
 * hashing it digests them as they are instead of writing them again: the hot path of appends and of
 * `audit verify`. A stored text that was altered, even in form only, then no longer matches its hash.
 */
export function withCanonicalText<T extends HashedEnvelope>(envelope: T, data: string, metadata: string): T {
  canonicalTexts.set(envelope, { data, metadata });
  return envelope;
}

/** The exact text `hashEvent` digests; keys are written in their RFC 8785 (sorted) order. */
export function canonicalEnvelope(envelope: HashedEnvelope, previousHash: string | null): string {
  const known = canonicalTexts.get(envelope);
  return (
    '{"data":' +
    (known?.data ?? canonicalJson(envelope.data)) +
    ',"eventId":' +
    canonicalString(envelope.eventId) +
    ',"metadata":' +
    (known?.metadata ?? canonicalJson(envelope.metadata)) +
    ',"previousHash":' +
    (previousHash === null ? 'null' : canonicalString(previousHash)) +
    ',"schemaVersion":' +
    canonicalJson(envelope.schemaVersion) +
    ',"streamId":' +
    canonicalString(envelope.streamId) +
    ',"streamVersion":' +
    canonicalJson(envelope.streamVersion) +
    ',"type":' +
    canonicalString(envelope.type) +
    '}'
  );
}
