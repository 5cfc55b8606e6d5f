import type { ChainRecord, ReadAllOptions, StoredEvent } from './event-store';

/** Reads one batch of at most `limit` items after a global position (and up to `to`, when given). */
export type BatchReader<T> = (after: number, limit: number, to?: number) => T[] | Promise<T[]>;

/**
 * `readAll` (and `readChainRecords`) for every adapter: batch after batch from `options.after`, never
 * more than one batch in memory, checking before each read that the store is still open.
 * `positionOf` tells the global position of an item: where the next batch starts.
 */
export async function* readInBatches<T>(
  readBatch: BatchReader<T>,
  options: ReadAllOptions,
  assertOpen: () => void,
  positionOf: (item: T) => number,
): AsyncGenerator<T[]> {
  const batchSize = options.batchSize ?? 1000;
  let after = options.after ?? 0;
  for (;;) {
    assertOpen();
    const batch = await readBatch(after, batchSize, options.to);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < batchSize) return;
    after = positionOf(batch[batch.length - 1]);
  }
}

export const positionOfEvent = (event: StoredEvent): number => event.globalPosition;
export const positionOfRecord = (record: ChainRecord): number => record[0];
