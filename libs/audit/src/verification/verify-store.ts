import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChainVerifier, EventStore } from '@vigil/event-store';

export interface BrokenEvent {
  streamId: string;
  version: number;
  reason: string;
}

/** The result of walking the whole store: what `GET /audit/verify` answers. */
export interface StoreVerification {
  ok: boolean;
  streams: number;
  events: number;
  broken: BrokenEvent[];
}

export interface VerificationProgress {
  /** Events checked so far. */
  events: number;
  /** Global position of the last event checked. */
  position: number;
  /** The store's head when verification started. */
  headPosition: number;
}

export interface VerifyStoreOptions {
  /** Called after each batch (the CLI's progress bar). */
  onProgress?: (progress: VerificationProgress) => void;
  /** Events per batch read from the store (default 2 000). */
  batchSize?: number;
}

/**
 * Walks every event of the store in global order, batch by batch, through the hash-chain verifier:
 * memory grows with the number of streams, not of events. Events appended while it runs are checked
 * too. A stream whose chain is changed, has events removed, reordered or inserted is named with the
 * version where the chain breaks (21 CFR 11.10(e): the trail cannot be altered unseen).
 */
export async function verifyStore(store: EventStore, options: VerifyStoreOptions = {}): Promise<StoreVerification> {
  const verifier = new ChainVerifier();
  const headPosition = await store.headPosition();
  const batchSize = options.batchSize ?? 2_000;
  let events = 0;
  const checked = async (count: number, position: number) => {
    events += count;
    options.onProgress?.({ events, position, headPosition });
    // Let the server answer other requests between batches: a whole-store walk takes seconds.
    await nextTurn();
  };
  if (store.readChainRecords) {
    // The store hands over the hashed texts as stored: hashing them needs no JSON parsed.
    for await (const batch of store.readChainRecords({ batchSize })) {
      verifier.feedRecords(batch);
      await checked(batch.length, batch[batch.length - 1][0]);
    }
  } else {
    for await (const batch of store.readAll({ batchSize })) {
      verifier.feed(batch);
      await checked(batch.length, batch[batch.length - 1].globalPosition);
    }
  }
  const report = verifier.finish();
  return {
    ok: report.ok,
    streams: report.streams,
    events: report.events,
    broken: report.broken.map(({ streamId, version, reason }) => ({ streamId, version, reason })),
  };
}
