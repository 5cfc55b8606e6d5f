import { GroupCommit, Outcome } from './group-commit';

describe('GroupCommit', () => {
  it('commits items submitted in the same turn of the event loop in one call, each caller getting its own result', async () => {
    const calls: number[][] = [];
    const group = new GroupCommit<number, number>((items) => {
      calls.push(items);
      return items.map((item) => ({ ok: true, value: item * 10 }));
    });

    const results = await Promise.all([1, 2, 3].map((item) => group.submit(item)));

    expect(results).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('hands a failed item its own error while the others succeed', async () => {
    const group = new GroupCommit<number, number>((items) =>
      items.map((item): Outcome<number> => (item === 2 ? { ok: false, error: new Error('two failed') } : { ok: true, value: item })),
    );

    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => group.submit(item)));

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('two failed');
  });

  it('rejects every item of a batch whose commit throws', async () => {
    const group = new GroupCommit<number, number>(() => {
      throw new Error('disk full');
    });
    const outcomes = await Promise.allSettled([1, 2].map((item) => group.submit(item)));
    expect(outcomes.map((o) => (o as PromiseRejectedResult).reason?.message)).toEqual(['disk full', 'disk full']);
  });

  it('queues items submitted while a flush runs and commits them together in the next one', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const firstFlush = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<number, number>(async (items) => {
      calls.push(items);
      if (calls.length === 1) await firstFlush;
      return items.map((item) => ({ ok: true, value: item }));
    });

    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((item) => group.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    release();

    await expect(Promise.all([first, ...later])).resolves.toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a queue longer than the batch limit into several commits', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>((items) => {
      sizes.push(items.length);
      return items.map((item) => ({ ok: true, value: item }));
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => group.submit(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('drain waits for everything submitted so far', async () => {
    const committed: number[] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      committed.push(...items);
      return items.map((item) => ({ ok: true, value: item }));
    });
    void group.submit(1);
    void group.submit(2);
    await group.drain();
    expect(committed).toEqual([1, 2]);
  });
});
