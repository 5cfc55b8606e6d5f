/**
 * Tells waiting subscriptions that new events may be there. A generation counter closes the race
 * between "read found nothing" and "start waiting": a wake-up in between is not lost.
 */
export class WakeSignal {
  private waiters = new Set<() => void>();
  private _generation = 0;

  get generation(): number {
    return this._generation;
  }

  notify(): void {
    this._generation++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next notify after `seenGeneration`, or after `timeoutMs`, whichever comes first. */
  wait(seenGeneration: number, timeoutMs: number): { done: Promise<void>; cancel: () => void } {
    if (this._generation !== seenGeneration) return { done: Promise.resolve(), cancel: () => undefined };
    let wake!: () => void;
    const done = new Promise<void>((resolve) => (wake = resolve));
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      this.waiters.delete(finish);
      wake();
    };
    this.waiters.add(finish);
    return { done, cancel: finish };
  }
}
