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

/**
 * Read-your-writes: waits until the live read models cover a global position, including what the
 * processes among them appended because of the events up to it (an alert raised for a lab result).
 * Works in process (woken by committed batches) and across processes sharing the file (polling).
 */
export class ReadModelProgress {
  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    private readonly projections: readonly string[],
    private readonly pollMs = 25,
  ) {}

  async waitForPosition(position: number, options: WaitOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    await this.reach(position, deadline);
    // Events appended while processing up to `position` lie at or below the head now.
    await this.reach(await this.store.headPosition(), deadline);
  }

  private behind(position: number): { name: string; position: number }[] {
    return this.projections.map((name) => ({ name, position: this.db.livePosition(name) })).filter((p) => p.position < position);
  }

  private reach(position: number, deadline: number): Promise<void> {
    if (this.behind(position).length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        const behind = this.behind(position);
        if (behind.length === 0) return done(resolve);
        if (Date.now() >= deadline) return done(() => reject(new ReadModelsBehindError(position, behind)));
      };
      const onCheckpoint = (checkpoint: Checkpoint) => {
        if (checkpoint.position >= position) check();
      };
      const timer = setInterval(check, this.pollMs);
      const done = (settle: () => void) => {
        clearInterval(timer);
        this.db.events.off('checkpoint', onCheckpoint);
        settle();
      };
      this.db.events.on('checkpoint', onCheckpoint);
    });
  }
}
