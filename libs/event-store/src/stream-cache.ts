import type { EventStore, StoredEvent } from './event-store';

export interface StreamCacheOptions {
  /** Events held across all streams; the least recently read streams are dropped beyond it. */
  maxEvents: number;
  /** Applied once to each event as it enters the cache (e.g. upcasting to the current schema). */
  prepare?: (event: StoredEvent) => StoredEvent;
}

interface CachedStream {
  events: StoredEvent[];
}

/**
 * Whole streams as read from the store, parsed (and prepared) once. Stored events never change, so a
 * read only asks the store for what comes after the cached version, and finds what any process
 * appended since. It re-reads the last cached event with that tail and checks it is the same one, so
 * a store replaced under it (another file, a wiped database) is read afresh rather than mixed in.
 * Bounded by the number of events held, least recently read streams dropped first.
 *
 * The events handed out are the cache's own, shared by every reader: they are frozen, so a caller
 * that tried to change one would throw rather than alter what every later replay shows.
 */
export class StreamCache {
  private readonly streams = new Map<string, CachedStream>();
  private held = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: StreamCacheOptions,
  ) {}

  /** Every event of the stream, in version order, as the store has it now (a copy the caller may keep). */
  async read(streamId: string): Promise<StoredEvent[]> {
    const cached = this.streams.get(streamId);
    const known = cached?.events.length ?? 0;
    const read = await this.store.readStream(streamId, { fromVersion: Math.max(1, known) });
    // Another read of this stream may have moved it on meanwhile: continue from what is cached now.
    const current = this.streams.get(streamId);
    if (current !== undefined && known > 0 && this.follows(current.events, read, known)) {
      const newer = this.prepared(read.filter((event) => event.streamVersion > current.events.length));
      for (const event of newer) current.events.push(event);
      this.held += newer.length;
      this.touch(streamId, current);
      return current.events.slice();
    }
    // Nothing usable cached: take what was read if it is the stream from its start, else read it whole.
    const whole = this.prepared(known > 0 ? await this.store.readStream(streamId) : read);
    this.forget(streamId);
    if (whole.length > 0 && whole.length <= this.options.maxEvents) {
      this.held += whole.length;
      this.touch(streamId, { events: whole.slice() });
    }
    return whole;
  }

  /** Number of events held, across all streams. */
  get size(): number {
    return this.held;
  }

  /** Whether `read` (from version `known`) continues `events`: it starts with the same event at `known`. */
  private follows(events: readonly StoredEvent[], read: readonly StoredEvent[], known: number): boolean {
    const overlap = read[0];
    const cachedAt = events[known - 1];
    return overlap !== undefined && overlap.streamVersion === known && overlap.eventId === cachedAt.eventId;
  }

  /** Prepared, then frozen through and through: shared by every reader, they must not be changed by one. */
  private prepared(events: StoredEvent[]): StoredEvent[] {
    const { prepare } = this.options;
    const ready = prepare ? events.map(prepare) : events;
    for (const event of ready) deepFreeze(event);
    return ready;
  }

  private forget(streamId: string): void {
    const cached = this.streams.get(streamId);
    if (!cached) return;
    this.streams.delete(streamId);
    this.held -= cached.events.length;
  }

  /** Marks the stream most recently read, then drops the least recently read ones beyond the bound. */
  private touch(streamId: string, stream: CachedStream): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, stream);
    if (stream.events.length > this.options.maxEvents) {
      this.forget(streamId);
      return;
    }
    for (const [id] of this.streams) {
      if (this.held <= this.options.maxEvents) break;
      this.forget(id);
    }
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}
