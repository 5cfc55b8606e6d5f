import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { createSqliteEventStore, type EventStore } from '@vigil/event-store';
import { AlertList, ReadModelDatabase, ReadModelProgress } from '@vigil/projections';
import { AlertEventStream, type AlertEventStreamOptions } from './alert-event-stream';

/** What a client of the stream receives, as written: the response's head and its text. */
class RecordedResponse extends Writable {
  status = 0;
  headers: Record<string, string> = {};
  text = '';
  private readonly waiting: (() => void)[] = [];

  writeHead(status: number, headers: Record<string, string>): this {
    this.status = status;
    this.headers = headers;
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    this.waiting.splice(0).forEach((wake) => wake());
    done();
  }

  get heartbeats(): number {
    return this.text.split('\n').filter((line) => line === ': heartbeat').length;
  }

  /** Resolves once `count` heartbeats have arrived (the test's own timeout bounds the wait). */
  async heartbeatsSeen(count: number): Promise<void> {
    while (this.heartbeats < count) await new Promise<void>((wake) => this.waiting.push(wake));
  }
}

describe('AlertEventStream: a heartbeat comment keeps an idle alert stream open', () => {
  let store: EventStore;
  let db: ReadModelDatabase;
  let stream: AlertEventStream | undefined;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    db = new ReadModelDatabase({ file: ':memory:' });
  });
  afterEach(async () => {
    jest.useRealTimers();
    await stream?.close();
    stream = undefined;
    await db.close();
    await store.close();
  });

  const open = (options: Partial<AlertEventStreamOptions> = {}): RecordedResponse => {
    const out = new RecordedResponse();
    stream = new AlertEventStream(store, new AlertList(db), new ReadModelProgress(store, []), out as unknown as ServerResponse, {
      filter: {},
      scope: 'all',
      after: 0,
      ...options,
    });
    stream.start();
    return out;
  };

  it('writes a `: heartbeat` comment every heartbeatMs while no alert event comes', async () => {
    const out = open({ heartbeatMs: 20 });
    await out.heartbeatsSeen(2);
    expect(out.status).toBe(200);
    expect(out.text).toMatch(/^retry: 2000\n: following alert events after position 0\n\n(: heartbeat\n\n)+$/);
  });

  it('sends the heartbeat every 15 000 ms by default, as the issue and README promise', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const out = open();
    jest.advanceTimersByTime(14_999);
    expect(out.heartbeats).toBe(0);
    jest.advanceTimersByTime(1);
    expect(out.heartbeats).toBe(1);
    jest.advanceTimersByTime(15_000);
    expect(out.heartbeats).toBe(2);
  });
});
