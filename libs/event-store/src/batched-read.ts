import type { ReadAllOptions, StoredEvent } from './event-store';

/** Reads one batch of at most `limit` events after a global position (and up to `to`, when given). */
export type BatchReader = (after: number, limit: number, to?: number) => StoredEvent[] | Promise<StoredEvent[]>;

/**
 * `readAll` for every adapter: batch after batch from `options.after`, never more than one batch in
 * memory, checking before each read that the store is still open.
 */
export async function* readInBatches(readBatch: BatchReader, options: ReadAllOptions, assertOpen: () => void): AsyncGenerator<StoredEvent[]> {
  const batchSize = options.batchSize ?? 1000;
  let after = options.after ?? 0;
  for (;;) {
    assertOpen();
    const batch = await readBatch(after, batchSize, options.to);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < batchSize) return;
    after = batch[batch.length - 1].globalPosition;
  }
}
