import type { BrokenLink, ChainOpening, ChainRange, ChainRecord, StoredEvent } from './event-store';
import { hashEnvelope, hashEvent } from './hash-chain';

export type { BrokenLink, ChainOpening, ChainRange } from './event-store';

export interface ChainReport {
  ok: boolean;
  /** Streams seen. */
  streams: number;
  /** Events checked. */
  events: number;
  broken: BrokenLink[];
}

/**
 * Checks the hash chains of the whole log, fed batch by batch in global order, keeping only the
 * head (version, hash) of each stream: memory grows with the number of streams, not events.
 *
 * It finds an event changed (its hash no longer matches its envelope), removed (a version gap and a
 * previousHash that does not match), inserted or reordered (a version that repeats or goes back, a
 * global position out of order). A removal at the very end of a stream leaves no trace in the chain
 * itself: compare the heads (`streamHeads`) with an anchor kept elsewhere to catch it.
 */
export interface ChainVerifierOptions {
  /**
   * Verifies a range of the log that starts after position 0: the first event of each stream is not
   * judged (its chain began before the range) but kept as an opening, for `absorb` to judge.
   */
  openStart?: boolean;
}

export class ChainVerifier {
  private readonly heads = new Map<string, { version: number; hash: string }>();
  private readonly broken: BrokenLink[] = [];
  private readonly openings: ChainOpening[] = [];
  private events = 0;
  private lastPosition = 0;

  constructor(private readonly options: ChainVerifierOptions = {}) {}

  feed(batch: readonly StoredEvent[]): this {
    for (const event of batch) {
      const hashMatches = hashEvent(event, event.previousHash) === event.hash;
      this.check(event.streamId, event.streamVersion, event.globalPosition, event.hash, event.previousHash, hashMatches);
    }
    return this;
  }

  /**
   * The same checks over chain records: each hash is taken over the envelope text as the store holds
   * it, nothing parsed. Gives the report `feed` gives for the same events.
   */
  feedRecords(batch: readonly ChainRecord[]): this {
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i];
      const hash = record[3];
      this.check(record[1], record[2], record[0], hash, record[4], hashEnvelope(record[5]) === hash);
    }
    return this;
  }

  finish(): ChainReport {
    return { ok: this.broken.length === 0, streams: this.heads.size, events: this.events, broken: [...this.broken] };
  }

  /** What this (open-start) verifier found in its range, for `absorb`. */
  range(): ChainRange {
    return {
      events: this.events,
      broken: [...this.broken],
      openings: [...this.openings],
      heads: [...this.heads].map(([streamId, head]) => [streamId, head.version, head.hash]),
      lastPosition: this.lastPosition,
    };
  }

  /**
   * Whether `absorb` can take in a range's report as it is: its findings after an opening hold only if
   * the opening moved its stream's head forward here, as it did there. A stream that went back across
   * the boundary (events reordered in the log) needs its range walked again in one pass.
   */
  canAbsorb(range: ChainRange): boolean {
    return range.openings.every((opening) => {
      const head = this.heads.get(opening.streamId);
      return !head || opening.version > head.version;
    });
  }

  /**
   * Takes in what a verifier of the next range of the log found (it started right after the last event
   * this one checked), as if this one had checked those events itself: its openings are judged against
   * the heads here, its own findings kept, its heads become these.
   */
  absorb(range: ChainRange): this {
    const before = this.broken.length;
    for (const o of range.openings) this.check(o.streamId, o.version, o.globalPosition, o.hash, o.previousHash, o.hashMatches);
    this.events += range.events - range.openings.length;
    // The range's findings in the order of its events (a range is read in position order), as one walk finds them.
    const found = [...this.broken.splice(before), ...range.broken].sort((a, b) => a.globalPosition - b.globalPosition);
    this.broken.push(...found);
    for (const [streamId, version, hash] of range.heads) {
      const head = this.heads.get(streamId);
      if (!head) this.heads.set(streamId, { version, hash });
      else if (version > head.version) {
        head.version = version;
        head.hash = hash;
      }
    }
    if (range.lastPosition > this.lastPosition) this.lastPosition = range.lastPosition;
    return this;
  }

  /** The last (version, hash) seen for each stream, to anchor against truncation. */
  streamHeads(): ReadonlyMap<string, { version: number; hash: string }> {
    return this.heads;
  }

  private check(streamId: string, streamVersion: number, globalPosition: number, hash: string, previousHash: string | null, hashMatches: boolean): void {
    this.events++;
    const head = this.heads.get(streamId);
    if (!head && this.options.openStart) {
      this.openings.push({ streamId, version: streamVersion, globalPosition, hash, previousHash, hashMatches });
      this.heads.set(streamId, { version: streamVersion, hash });
      if (globalPosition > this.lastPosition) this.lastPosition = globalPosition;
      return;
    }
    const expectedVersion = head ? head.version + 1 : 1;
    const inOrder = globalPosition > this.lastPosition;
    const linked = previousHash === (head ? head.hash : null);
    if (inOrder) this.lastPosition = globalPosition;
    if (!hashMatches || !inOrder || !linked || streamVersion !== expectedVersion) {
      this.report({ streamId, streamVersion, globalPosition }, expectedVersion, hashMatches, inOrder, linked);
    }
    if (!head) this.heads.set(streamId, { version: streamVersion, hash });
    else if (streamVersion > head.version) {
      head.version = streamVersion;
      head.hash = hash;
    }
  }

  private report(
    event: Pick<StoredEvent, 'streamId' | 'streamVersion' | 'globalPosition'>,
    expectedVersion: number,
    hashMatches: boolean,
    inOrder: boolean,
    linked: boolean,
  ): void {
    const reasons: string[] = [];
    if (!inOrder) {
      reasons.push(`global position ${event.globalPosition} does not follow ${this.lastPosition}: reordered or inserted`);
    }
    if (!hashMatches) reasons.push('hash mismatch: the event was changed');
    if (event.streamVersion > expectedVersion) {
      const missing = event.streamVersion - 1 === expectedVersion ? `${expectedVersion}` : `${expectedVersion}–${event.streamVersion - 1}`;
      reasons.push(`version gap: version ${missing} missing (removed)`);
    } else if (event.streamVersion < expectedVersion) {
      reasons.push(`version ${event.streamVersion} after version ${expectedVersion - 1}: inserted or reordered`);
    }
    if (!linked && event.streamVersion >= expectedVersion) {
      reasons.push("previousHash does not match the previous event's hash: an event before it was removed or changed");
    }
    if (reasons.length > 0) {
      this.broken.push({
        streamId: event.streamId,
        version: event.streamVersion,
        globalPosition: event.globalPosition,
        reason: reasons.join('; '),
      });
    }
  }
}
