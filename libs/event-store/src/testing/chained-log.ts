import { EventMetadata, StoredEvent } from '../event-store';
import { canonicalJson } from '../canonical-json';
import { hashEvent } from '../hash-chain';

/**
 * A correctly chained log built without a store, for tests and benchmarks of the verifier and of
 * audit tools: `streams` streams, `perStream` events each, interleaved round-robin in global order.
 * Data and metadata are as a store returns them (read back from their canonical text).
 */
export function chainedLog(streams: number, perStream: number): StoredEvent[] {
  const heads = new Map<string, string | null>();
  const log: StoredEvent[] = [];
  for (let version = 1; version <= perStream; version++) {
    for (let s = 0; s < streams; s++) {
      const streamId = `patient-${s}`;
      const previousHash = heads.get(streamId) ?? null;
      const globalPosition = log.length + 1;
      const metadata: EventMetadata = {
        userId: 'user-1',
        role: 'investigator',
        siteId: 'site-1',
        occurredAt: '2024-01-01T00:00:00.000Z',
        recordedAt: new Date(Date.UTC(2024, 0, 1) + globalPosition * 1000).toISOString(),
        correlationId: `corr-${globalPosition}`,
        commandId: `cmd-${globalPosition}`,
      };
      const envelope = {
        eventId: `00000000-0000-4000-8000-${String(globalPosition).padStart(12, '0')}`,
        streamId,
        streamVersion: version,
        type: 'LabResultRecorded',
        schemaVersion: 1,
        data: asStored({ patientId: streamId, test: 'PLAT', value: 150 + (globalPosition % 50), unit: '10^9/L', referenceRange: { low: 150, high: 400 } }),
        metadata: asStored(metadata),
      };
      const hash = hashEvent(envelope, previousHash);
      log.push({ ...envelope, globalPosition, hash, previousHash });
      heads.set(streamId, hash);
    }
  }
  return log;
}

/** Re-seals an event after a change, as a forger who knows the hash scheme would. */
export function resealed(event: StoredEvent, previousHash: string | null = event.previousHash): StoredEvent {
  return { ...event, previousHash, hash: hashEvent(event, previousHash) };
}

function asStored<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}
