import { EventEmitter } from 'node:events';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { extname, join } from 'node:path';
import { MessagePort, Worker } from 'node:worker_threads';
import type { VigilConfig } from '@vigil/api';
import {
  DuplicateEventIdError,
  EventStoreClosedError,
  InvalidAppendError,
  overriding,
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type CheckpointLog,
  type EventStore,
  type NewEvent,
} from '@vigil/event-store';
import type { LoggingOptions, MetricsSnapshot } from '@vigil/observability';

/** What the projector thread needs to boot on the same data and configuration as the main thread. */
export interface ProjectorWorkerData {
  env: NodeJS.ProcessEnv;
  config: Partial<VigilConfig>;
  logging: LoggingOptions;
  logger: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose')[];
  /** The main thread's commit counter (CommitCounter), shared memory. */
  commits: Int32Array;
}

/** An append that failed, as it crosses threads (an Error's class does not). */
export interface AppendFailure {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

/** Main thread → projector thread. */
export type ToProjectorThread =
  | { type: 'stop' }
  | { type: 'metrics'; id: number }
  | { type: 'append-result'; id: number; result: AppendResult }
  | { type: 'append-failed'; id: number; failure: AppendFailure }
  | { type: 'checkpoint-written'; id: number; value: unknown };

/** Projector thread → main thread. */
export type FromProjectorThread =
  | { type: 'ready' }
  | { type: 'progress' }
  | { type: 'failed'; message: string }
  | { type: 'stopped' }
  | { type: 'metrics'; id: number; metrics: MetricsSnapshot }
  | { type: 'append'; id: number; streamId: string; events: NewEvent[]; options: AppendOptions }
  | { type: 'checkpoint-write'; id: number; method: CheckpointWrite; args: unknown[] };

/** What the checkpoint log writes (the signed checkpoints, the Merkle frontier, how far each channel published). */
export type CheckpointWrite = 'record' | 'markPublished';

export class ProjectorThreadConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectorThreadConfigError';
  }
}

/** VIGIL_PROJECTOR_THREAD: `on` (default) runs the projector and notifier of the embedded default on a thread of their own; `off` keeps one thread. */
export function projectorThreadFromEnv(env: NodeJS.ProcessEnv): boolean {
  const raw = env.VIGIL_PROJECTOR_THREAD?.trim().toLowerCase() || 'on';
  if (raw !== 'on' && raw !== 'off') throw new ProjectorThreadConfigError(`VIGIL_PROJECTOR_THREAD must be on or off, got "${env.VIGIL_PROJECTOR_THREAD}"`);
  return raw === 'on';
}

/** The worker's entry beside this file: `.js` once built, `.ts` when run from the sources (register-ts.js, inherited by the thread). */
export const PROJECTOR_WORKER_FILE = join(__dirname, `projector-worker${extname(__filename)}`);

/** How long a stopping thread may take to close its work (leases given up, stores closed) before it is terminated. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The projector and notifier roles of the embedded default on a second core (README "Both cores"): the main
 * thread answers HTTP and appends; this thread follows the log into the read models, raises alerts and
 * delivers them. They share the SQLite files, and talk by messages instead of polling: the main thread says
 * when it committed appends (the thread's subscriptions read at once), the thread says when it moved on
 * (read-your-writes waits resolve at once). The thread's own appends (the alerts it raises) and its checkpoint
 * log's writes are made here, in the main thread's group commits: one writer to the log's file, so neither thread sleeps in SQLite's
 * busy handler waiting for the other's write lock. A thread that dies is reported to `onDeath`: the process must
 * not go on answering without raising alerts (a silent safety monitor reads as a safe trial).
 */
export class ProjectorThread {
  private readonly progress = new EventEmitter();
  private readonly pendingMetrics = new Map<number, (metrics: MetricsSnapshot) => void>();
  private nextMetrics = 0;
  private stopping = false;
  private started = false;
  private readonly exited: Promise<void>;
  /** Settles once the thread's roles run, or rejects with why they could not start. */
  ready!: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly log: EventStore,
    private readonly onDeath: (reason: string) => void,
    private readonly commits: CommitCounter,
  ) {
    this.progress.setMaxListeners(0);
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /** Starts the thread and resolves once its roles run (or rejects with why they could not start). */
  static async start(worker: Worker, log: EventStore, onDeath: (reason: string) => void, commits = new CommitCounter()): Promise<ProjectorThread> {
    const thread = ProjectorThread.launch(worker, log, onDeath, commits);
    await thread.ready;
    return thread;
  }

  /** Starts the thread; `ready` settles once its roles run (or with why they could not start). */
  static launch(worker: Worker, log: EventStore, onDeath: (reason: string) => void, commits = new CommitCounter()): ProjectorThread {
    const thread = new ProjectorThread(worker, log, onDeath, commits);
    let ready = false;
    let error: Error | undefined;
    thread.ready = new Promise((resolve, reject) => {
      worker.on('message', (message: FromProjectorThread) => {
        if (message.type === 'ready') {
          ready = thread.started = true;
          resolve();
        } else if (message.type === 'failed') error = new Error(message.message);
        else thread.receive(message);
      });
      // Judged at the exit, not at the error: the thread's error and its messages come over different ports, so a
      // 'ready' posted just before a throw can arrive after the error; Node.js delivers every message before 'exit'.
      worker.on('error', (failure) => (error = failure));
      worker.on('exit', (code) => {
        if (!ready) reject(new Error(`the projector thread could not start: ${error?.message ?? `it exited with code ${code}`}`));
        else if (!thread.stopping) thread.onDeath(error ? `failed: ${error.stack ?? error.message}` : `exited with code ${code}`);
      });
    });
    // Whoever awaits `ready` sees a failed start; nobody awaiting it yet must not crash the process.
    thread.ready.catch(() => undefined);
    return thread;
  }

  /** The main thread's own worker on PROJECTOR_WORKER_FILE, appending to `log` for it; booting while the caller goes on (see `ready`). */
  static spawn(data: Omit<ProjectorWorkerData, 'commits'>, log: EventStore, onDeath: (reason: string) => void): ProjectorThread {
    const commits = new CommitCounter();
    const workerData: ProjectorWorkerData = { ...data, commits: commits.cells };
    return ProjectorThread.launch(new Worker(PROJECTOR_WORKER_FILE, { workerData, name: 'vigil-projector' }), log, onDeath, commits);
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Main thread: appends were committed. */
  noteAppended(): void {
    this.commits.note();
  }

  /** Calls `listener` whenever the thread's read models or alerting reactor moved on. */
  readonly onProgress = (listener: () => void): (() => void) => {
    this.progress.on('progress', listener);
    return () => this.progress.off('progress', listener);
  };

  /** The thread's metrics, to add to the main thread's at a scrape (empty when it does not answer). */
  metrics(): Promise<MetricsSnapshot> {
    if (this.stopping) return Promise.resolve([]);
    const id = ++this.nextMetrics;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle([]), 2_000);
      const settle = (metrics: MetricsSnapshot) => {
        clearTimeout(timer);
        this.pendingMetrics.delete(id);
        resolve(metrics);
      };
      this.pendingMetrics.set(id, settle);
      this.post({ type: 'metrics', id });
    });
  }

  /** Asks the thread to close its work (leases given up, stores closed), then ends it. */
  async stop(): Promise<void> {
    if (this.stopping) return this.exited;
    this.stopping = true;
    // A thread still starting has no work to close: it is ended at once.
    if (!this.started) {
      await this.worker.terminate();
      return this.exited;
    }
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (message: FromProjectorThread) => message.type === 'stopped' && resolve());
      void this.exited.then(resolve);
    });
    this.post({ type: 'stop' });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
    await Promise.race([stopped, timeout]);
    await this.worker.terminate();
    await this.exited;
  }

  private receive(message: FromProjectorThread): void {
    if (message.type === 'progress') this.progress.emit('progress');
    else if (message.type === 'metrics') this.pendingMetrics.get(message.id)?.(message.metrics);
    else if (message.type === 'append') this.appendFor(message);
    else if (message.type === 'checkpoint-write') this.checkpointWriteFor(message);
  }

  /** The checkpointer's and the checkpoint publisher's writes to the log's file, made here as the thread's appends are. */
  private checkpointWriteFor({ id, method, args }: Extract<FromProjectorThread, { type: 'checkpoint-write' }>): void {
    const checkpoints = this.log.checkpoints as CheckpointLog | undefined;
    const write = checkpoints
      ? (checkpoints[method] as (...args: unknown[]) => Promise<unknown>).apply(checkpoints, args)
      : Promise.reject(new Error('this store keeps no checkpoints'));
    write.then(
      (value) => this.post({ type: 'checkpoint-written', id, value }),
      (error: unknown) => this.post({ type: 'append-failed', id, failure: appendFailure(error) }),
    );
  }

  private appendFor({ id, streamId, events, options }: Extract<FromProjectorThread, { type: 'append' }>): void {
    this.log.append(streamId, events, options).then(
      (result) => this.post({ type: 'append-result', id, result }),
      (error: unknown) => this.post({ type: 'append-failed', id, failure: appendFailure(error) }),
    );
  }

  private post(message: ToProjectorThread): void {
    this.worker.postMessage(message);
  }
}

/** Atomics.waitAsync (V8; Node ≥ 16), in TypeScript's lib from ES2024 only. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(cells: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** The cells of a CommitCounter: how many commits the main thread noted, and whether the follower waits for the next. */
const COMMITS = 0;
const WAITING = 1;

/**
 * How the main thread tells the projector thread it committed appends: a counter in shared memory, bumped
 * at each commit, and a notify (Atomics) only when the follower waits for one. Cheaper than a message per
 * commit or an unconditional notify (both costly in the main thread's profile, bench/README.md "Both cores"):
 * nothing is copied, and a busy follower is not signalled.
 */
export class CommitCounter {
  constructor(readonly cells: Int32Array = new Int32Array(new SharedArrayBuffer(8))) {}

  note(): void {
    Atomics.add(this.cells, COMMITS, 1);
    if (Atomics.compareExchange(this.cells, WAITING, 1, 0) === 1) Atomics.notify(this.cells, COMMITS);
  }

  /** Projector thread: calls `onCommit` after notes (those made while it runs make one call), until the returned stop. */
  follow(onCommit: () => void): () => void {
    let following = true;
    let seen = Atomics.load(this.cells, COMMITS);
    const loop = async () => {
      while (following) {
        // Flagged before the wait: a note between the two changes the count, and the wait returns at once.
        Atomics.store(this.cells, WAITING, 1);
        // Bounded, so a stopped follower ends within that time even when nothing more is committed.
        const wait = waitAsync(this.cells, COMMITS, seen, 1_000);
        if (wait.async) await wait.value;
        Atomics.store(this.cells, WAITING, 0);
        const now = Atomics.load(this.cells, COMMITS);
        if (now !== seen && following) {
          seen = now;
          onCommit();
        }
      }
    };
    void loop();
    return () => (following = false);
  }
}

function appendFailure(error: unknown): AppendFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  return { name: error.name, message: error.message, fields };
}

/** The store as the main thread uses it: each committed append is told to the projector thread. */
export function tellingAppends(store: EventStore, thread: ProjectorThread): EventStore {
  return overriding(store, {
    append: async (...args: Parameters<EventStore['append']>) => {
      const result = await store.append(...args);
      thread.noteAppended();
      return result;
    },
  });
}

/** Stops the projector thread when the application closes, while the store it appends through is still open. */
@Injectable()
export class ProjectorThreadShutdown implements BeforeApplicationShutdown {
  constructor(private readonly thread: ProjectorThread) {}

  beforeApplicationShutdown(): Promise<void> {
    return this.thread.stop();
  }
}

/** The error an append failed with in the main thread, as the store's callers catch it (by class). */
export function appendError({ name, message, fields }: AppendFailure): Error {
  const text = (key: string) => String(fields[key]);
  switch (name) {
    case 'WrongExpectedVersionError':
      return new WrongExpectedVersionError(text('streamId'), fields.expected as number | string, Number(fields.actual));
    case 'DuplicateEventIdError':
      return new DuplicateEventIdError(text('eventId'));
    case 'InvalidAppendError':
      return new InvalidAppendError(message);
    case 'EventStoreClosedError':
      return new EventStoreClosedError();
    default:
      return Object.assign(new Error(message), { name });
  }
}

/**
 * The projector thread's store: reads and subscriptions on its own connection; appends, and the checkpoint
 * log's writes (signed checkpoints, the Merkle frontier, what each channel published), sent to the main
 * thread (see ProjectorThread), so that the log's file has one writer: two would wait on each other's lock
 * in SQLite's busy handler, which sleeps holding its thread. The main thread's answer to an append wakes
 * this thread's subscriptions at once.
 */
export function appendingThroughMain(store: EventStore, port: MessagePort): EventStore {
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let next = 0;
  port.on('message', (message: ToProjectorThread) => {
    if (message.type !== 'append-result' && message.type !== 'append-failed' && message.type !== 'checkpoint-written') return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'append-result') {
      store.wakeSubscriptions?.();
      waiting?.resolve(message.result as never);
    } else if (message.type === 'checkpoint-written') waiting?.resolve(message.value as never);
    else waiting?.reject(appendError(message.failure));
  });
  const ask = <T>(message: WriteRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (value: never) => void, reject });
      port.postMessage({ ...message, id } as FromProjectorThread);
    });
  const append = (streamId: string, events: NewEvent[], options: AppendOptions) => ask<AppendResult>({ type: 'append', streamId, events, options });
  const checkpoints = store.checkpoints && writingThroughMain(store.checkpoints as CheckpointLog, ask);
  return overriding(store, { append, checkpoints });
}

/** A write the projector thread asks of the main thread (a message of FromProjectorThread, before its id). */
type WriteRequest =
  { type: 'append'; streamId: string; events: NewEvent[]; options: AppendOptions } | { type: 'checkpoint-write'; method: CheckpointWrite; args: unknown[] };

/** The checkpoint log with its writes made by the main thread; its reads on this thread's connection. */
function writingThroughMain(log: CheckpointLog, ask: (message: WriteRequest) => Promise<unknown>): CheckpointLog {
  const write =
    (method: CheckpointWrite) =>
    (...args: unknown[]) =>
      ask({ type: 'checkpoint-write', method, args });
  return overriding(log, { record: write('record'), markPublished: write('markPublished') } as Partial<CheckpointLog>);
}
