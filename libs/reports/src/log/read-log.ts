import { ALERT_EVENT_TYPES, PATIENT_EVENT_TYPES } from '@vigil/domain';
import type { EventStore } from '@vigil/event-store';
import type { TrialFold } from './trial-fold';

/** Batch size of the reads: large enough that the per-batch cost disappears, small enough to keep memory flat. */
const BATCH = 5_000;
/** What a trial fold takes in (TrialFold.apply reads past the rest): the store need not hand over anything else. */
const FOLDED_TYPES = [...PATIENT_EVENT_TYPES, ...ALERT_EVENT_TYPES];

/**
 * Moves a trial fold along the log, from where it stopped up to `to` (the head when the caller read it):
 * one pass in global order, each batch dropped once folded; `stopped` ends it early, between batches.
 */
export async function foldLog(store: EventStore, fold: TrialFold, to: number, options: { stopped?: () => boolean } = {}): Promise<TrialFold> {
  if (to <= fold.readTo) return fold;
  for await (const batch of store.readAll({ after: fold.readTo, to, batchSize: BATCH, types: FOLDED_TYPES })) {
    for (const stored of batch) fold.apply(stored);
    // A fold left half-way stays consistent: it simply has not read further (readTo says how far it got).
    if (options.stopped?.()) return fold;
  }
  fold.readTo = Math.max(fold.readTo, to);
  return fold;
}
