import { inCurrentSchema } from '@vigil/domain';
import { EventStore, StreamCache } from '@vigil/event-store';

/**
 * Events held by a replay cache unless told otherwise: room for the longest patients several times over
 * (TRANSREG patients have hundreds of events, not thousands), while parsed events, far larger than their
 * stored text, keep the memory bounded.
 */
export const REPLAY_CACHE_EVENTS = 20_000;

/**
 * The patient streams replays read, parsed and upcast once and then only extended (StreamCache): a
 * replay of a long stream reads just what was appended since the last one, by any process.
 */
export function replayStreamCache(store: EventStore, maxEvents = REPLAY_CACHE_EVENTS): StreamCache {
  return new StreamCache(store, { maxEvents, prepare: inCurrentSchema });
}
