import type { EventStore } from '@vigil/event-store';
import type { Checkpoint, ReadModelDatabase } from './read-model-database';

export class ReadModelsBehindError extends Error {
  readonly code = 'READ_MODELS_BEHIND';
  constructor(
    readonly position: number,
    readonly behind: { name: string; position: number }[],
  ) {
    super(`read models did not reach position ${position} in time: ${behind.map((b) => `${b.name} at ${b.position}`).join(', ')}`);
    this.name = 'ReadModelsBehindError';
  }
}

export interface WaitOptions {
  timeoutMs?: number;
}

/** Something that follows the log and says how far it got: a read model, or a reactor (the alerting). */
export interface ProgressSource {
  readonly name: string;
  /** Global position of the last event it covers (committed). */
  position(): number | Promise<number>;
  /** Calls `listener` when it moved on (in this process); returns how to stop listening. */
  onProgress(listener: () => void): () => void;
}

/** The live build of a read model as a progress source. */
export function readModelSource(db: ReadModelDatabase, name: string): ProgressSource {
  return {
    name,
    position: () => db.livePosition(name),
    onProgress: (listener) => {
      const onCheckpoint = (checkpoint: Checkpoint) => {
        if (checkpoint.name === name) listener();
      };
      db.events.on('checkpoint', onCheckpoint);
      return () => db.events.off('checkpoint', onCheckpoint);
    },
  };
}

/**
 * Read-your-writes: waits until the read models and reactors cover a global position, including what the
 * reactors appended because of the events up to it (an alert raised for a lab result, then listed).
 * Works in process (woken by their progress) and across processes sharing the database (polling).
 */
export class ReadModelProgress {
  constructor(
    private readonly store: EventStore,
    private readonly sources: readonly ProgressSource[],
    private readonly pollMs = 25,
  ) {}

  async waitForPosition(position: number, options: WaitOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    await this.reach(position, deadline);
    // Events the reactors appended while handling up to `position` lie at or below the head now.
    await this.reach(await this.store.headPosition(), deadline);
  }

  /** Where each read model and reactor is now (readiness, lag metrics). */
  positions(): Promise<{ name: string; position: number }[]> {
    return Promise.all(this.sources.map(async (source) => ({ name: source.name, position: await source.position() })));
  }

  private async behind(position: number): Promise<{ name: string; position: number }[]> {
    return (await this.positions()).filter((p) => p.position < position);
  }

  private async reach(position: number, deadline: number): Promise<void> {
    if ((await this.behind(position)).length === 0) return;
    await new Promise<void>((resolve, reject) => {
      let checking = false;
      let settled = false;
      const check = () => {
        if (checking || settled) return;
        checking = true;
        void this.behind(position).then(
          (behind) => {
            checking = false;
            if (behind.length === 0) return done(resolve);
            if (Date.now() >= deadline) return done(() => reject(new ReadModelsBehindError(position, behind)));
          },
          (error: unknown) => done(() => reject(error)),
        );
      };
      const timer = setInterval(check, this.pollMs);
      const stops = this.sources.map((source) => source.onProgress(check));
      const done = (settle: () => void) => {
        settled = true;
        clearInterval(timer);
        for (const stop of stops) stop();
        settle();
      };
    });
  }
}
