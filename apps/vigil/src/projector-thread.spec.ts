import { MessageChannel, Worker } from 'node:worker_threads';
import { createSqliteEventStore, EventStore, NewEvent, WrongExpectedVersionError } from '@vigil/event-store';
import {
  appendError,
  appendingThroughMain,
  CommitCounter,
  FromProjectorThread,
  ProjectorThread,
  projectorThreadFromEnv,
  ToProjectorThread,
} from './projector-thread';

/** A stand-in for the projector thread: plain JavaScript run on a real worker thread, speaking its messages. */
const thread = (body: string, workerData?: unknown) =>
  new Worker(`const { parentPort } = require('node:worker_threads');\n${body}`, { eval: true, workerData });

const event = (n: number): NewEvent => ({
  type: 'NoteTaken',
  schemaVersion: 1,
  data: { n },
  metadata: { userId: 'u1', role: 'admin', occurredAt: '2026-01-05T09:00:00Z', correlationId: `c${n}` },
});

describe('ProjectorThread', () => {
  let store: EventStore;
  beforeEach(async () => (store = await createSqliteEventStore({ file: ':memory:' })));
  afterEach(() => store.close());

  const deathOf = (body: string) =>
    new Promise<string>((resolve, reject) => {
      ProjectorThread.start(thread(body), store, resolve).catch(reject);
    });

  it('reports a thread that fails once started, with its error: the process must not go on without alerts', async () => {
    const reason = await deathOf(`parentPort.postMessage({ type: 'ready' }); setTimeout(() => { throw new Error('the read-model file is gone'); }, 5);`);
    expect(reason).toContain('the read-model file is gone');
  });

  it('reports a thread that fails right after its ready, even when the error is heard before the ready', async () => {
    const death = new Promise<string>((resolve) => {
      const worker = thread(`parentPort.postMessage({ type: 'ready' }); throw new Error('the read-model file is gone');`);
      ProjectorThread.launch(worker, store, resolve);
      // The main thread busy while the thread readies and fails: both wait in their queues, heard in either order.
      worker.once('online', () => {
        const until = Date.now() + 200;
        while (Date.now() < until);
      });
    });
    expect(await death).toContain('the read-model file is gone');
  });

  it('reports a thread that exits once started', async () => {
    expect(await deathOf(`parentPort.postMessage({ type: 'ready' }); setTimeout(() => process.exit(3), 5);`)).toBe('exited with code 3');
  });

  it('fails the start with the reason the thread gave', async () => {
    const start = ProjectorThread.start(
      thread(`parentPort.postMessage({ type: 'failed', message: 'VIGIL_NOTIFIER_FILE cannot be opened' }); process.exit(1);`),
      store,
      () => undefined,
    );
    await expect(start).rejects.toThrow('the projector thread could not start: VIGIL_NOTIFIER_FILE cannot be opened');
  });

  it('stops a thread without reporting it dead', async () => {
    const deaths: string[] = [];
    const started = await ProjectorThread.start(
      thread(`parentPort.postMessage({ type: 'ready' });
        parentPort.on('message', (m) => { if (m.type === 'stop') { parentPort.postMessage({ type: 'stopped' }); parentPort.close(); } });`),
      store,
      (reason) => deaths.push(reason),
    );
    await started.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(deaths).toEqual([]);
  });

  it("makes the thread's appends in the main thread's store, and answers a conflict as the store does", async () => {
    const worker = thread(`
      const answers = [];
      parentPort.on('message', (m) => {
        if (m.type === 'stop') return parentPort.close();
        if (m.type !== 'append-result' && m.type !== 'append-failed') return;
        answers.push(m);
        if (answers.length === 2) parentPort.postMessage({ type: 'answers', answers });
      });
      parentPort.postMessage({ type: 'ready' });
      const append = (id) => ({ type: 'append', id, streamId: 'note-1', events: [${JSON.stringify(event(1))}], options: { expectedVersion: 'no_stream' } });
      parentPort.postMessage(append(1));
      setTimeout(() => parentPort.postMessage(append(2)), 20);`);
    const answers = new Promise<ToProjectorThread[]>((resolve) =>
      worker.on('message', (m: FromProjectorThread | { type: 'answers'; answers: ToProjectorThread[] }) => m.type === 'answers' && resolve(m.answers)),
    );
    const started = await ProjectorThread.start(worker, store, () => undefined);
    const [first, second] = await answers;
    await started.stop();
    expect(first).toMatchObject({ type: 'append-result', id: 1, result: { streamId: 'note-1', version: 1 } });
    expect((await store.readStream('note-1')).map((e) => e.data)).toEqual([{ n: 1 }]);
    expect(second.type).toBe('append-failed');
    const error = second.type === 'append-failed' ? appendError(second.failure) : undefined;
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamId: 'note-1', actual: 1 });
  });

  it("writes the thread's checkpoint log changes in the main thread's store (the log's file keeps one writer)", async () => {
    await store.append('note-1', [event(1), event(2), event(3)], { expectedVersion: 'no_stream' });
    const worker = thread(`
      parentPort.on('message', (m) => {
        if (m.type === 'stop') return parentPort.close();
        if (m.type === 'checkpoint-written' || m.type === 'append-failed') parentPort.postMessage({ type: 'answer', answer: m });
      });
      parentPort.postMessage({ type: 'ready' });
      parentPort.postMessage({ type: 'checkpoint-write', id: 7, method: 'markPublished', args: ['webhook', 3] });`);
    const answer = new Promise<ToProjectorThread>((resolve) =>
      worker.on('message', (m: FromProjectorThread | { type: 'answer'; answer: ToProjectorThread }) => m.type === 'answer' && resolve(m.answer)),
    );
    const started = await ProjectorThread.start(worker, store, () => undefined);
    expect(await answer).toMatchObject({ type: 'checkpoint-written', id: 7 });
    await started.stop();
    expect(await store.checkpoints?.publishedUpTo('webhook')).toBe(3);
  });
});

describe('appendingThroughMain', () => {
  it("reads from the thread's own store and appends through the main thread, rethrowing its errors by class", async () => {
    const local = await createSqliteEventStore({ file: ':memory:' });
    await local.append('note-1', [event(1)], { expectedVersion: 'no_stream' });
    const { port1, port2 } = new MessageChannel();
    const asked: string[] = [];
    port2.on('message', (m: FromProjectorThread) => {
      if (m.type !== 'append') return;
      asked.push(m.streamId);
      const failure = {
        name: 'WrongExpectedVersionError',
        message: 'stream note-1 is at version 1',
        fields: { streamId: 'note-1', expected: 'no_stream', actual: 1 },
      };
      port2.postMessage({ type: 'append-failed', id: m.id, failure } satisfies ToProjectorThread);
    });
    const store = appendingThroughMain(local, port1);
    try {
      expect(await store.streamVersion('note-1')).toBe(1);
      await expect(store.append('note-1', [event(2)], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect(asked).toEqual(['note-1']);
    } finally {
      port1.close();
      await local.close();
    }
  });

  it("sends the checkpoint log's writes to the main thread and reads it on the thread's own connection", async () => {
    const local = await createSqliteEventStore({ file: ':memory:' });
    const { port1, port2 } = new MessageChannel();
    const asked: unknown[] = [];
    port2.on('message', (m: FromProjectorThread) => {
      if (m.type !== 'checkpoint-write') return;
      asked.push([m.method, ...m.args]);
      port2.postMessage({ type: 'checkpoint-written', id: m.id, value: undefined } satisfies ToProjectorThread);
    });
    const store = appendingThroughMain(local, port1);
    try {
      await store.checkpoints?.markPublished('kafka', 5);
      expect(asked).toEqual([['markPublished', 'kafka', 5]]);
      expect(await store.checkpoints?.publishedUpTo('kafka')).toBe(0); // written by the main thread, not here
      expect(await store.checkpoints?.latest()).toBeNull();
      expect(asked).toHaveLength(1);
    } finally {
      port1.close();
      await local.close();
    }
  });
});

describe('CommitCounter', () => {
  it('wakes the other thread when the main thread commits, through the memory they share', async () => {
    const main = new CommitCounter();
    const woken = new Promise<{ how: string; count: number }>((resolve) => {
      const worker = thread(
        `
        const { workerData } = require('node:worker_threads');
        const cells = workerData.cells;
        const seen = Atomics.load(cells, 0);
        Atomics.store(cells, 1, 1); // waiting, as CommitCounter.follow flags it
        // A pending waitAsync does not keep a thread alive on every Node.js (24 lets it exit): a timer does, until woken.
        const alive = setTimeout(() => undefined, 30_000);
        Atomics.waitAsync(cells, 0, seen).value.then((how) => {
          parentPort.postMessage({ type: 'woken', how, count: Atomics.load(cells, 0) });
          clearTimeout(alive);
          parentPort.close();
        });
        // Told once the wait is in place: the main thread's note (on another core) cannot come before it.
        parentPort.postMessage({ type: 'waiting' });`,
        { cells: main.cells },
      );
      worker.on('message', (m: { type: string; how: string; count: number }) => (m.type === 'waiting' ? main.note() : resolve(m)));
    });
    // 'ok': woken by the notify of the note, not by a changed count found when the wait began.
    expect(await woken).toMatchObject({ how: 'ok', count: 1 });
  });

  it('calls its follower once per commits seen, and no more once stopped', async () => {
    const counter = new CommitCounter();
    const calls: number[] = [];
    let stop = () => undefined as unknown;
    await new Promise<void>((resolve) => {
      stop = counter.follow(() => {
        calls.push(Atomics.load(counter.cells, 0));
        resolve();
      });
      counter.note();
    });
    stop();
    counter.note();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([1]);
  });
});

describe('projectorThreadFromEnv', () => {
  it('is on unless VIGIL_PROJECTOR_THREAD=off, and refuses anything else', () => {
    expect(projectorThreadFromEnv({})).toBe(true);
    expect(projectorThreadFromEnv({ VIGIL_PROJECTOR_THREAD: 'off' })).toBe(false);
    expect(() => projectorThreadFromEnv({ VIGIL_PROJECTOR_THREAD: 'no' })).toThrow('VIGIL_PROJECTOR_THREAD must be on or off, got "no"');
  });
});
