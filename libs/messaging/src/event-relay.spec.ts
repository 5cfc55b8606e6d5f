import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, EventStore, NewEvent, StoredEvent } from '@vigil/event-store';
import { createReadModelStore, ReadModelStore } from '@vigil/projections';
import { EventRelay, EventSink, RelayCheckpoint } from './event-relay';

const event = (n: number): NewEvent => ({
  type: 'Noted',
  schemaVersion: 1,
  data: { n },
  metadata: { userId: 'u', role: 'admin', occurredAt: new Date(0).toISOString(), correlationId: `c-${n}` },
});

/** A receiver that keeps what it was sent, and can be told to fail or to crash the relay after accepting a batch. */
class Receiver implements EventSink {
  readonly name = 'test-sink';
  readonly received: StoredEvent[] = [];
  failNext = 0;
  onAccepted?: () => void;

  async publish(events: StoredEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker unreachable');
    }
    this.received.push(...events);
    this.onAccepted?.();
  }
}

const until = async (condition: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('EventRelay', () => {
  let dir: string;
  let store: EventStore;
  let outbox: ReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-relay-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    outbox = await createReadModelStore({ kind: 'sqlite', sqliteFile: join(dir, 'notifier.sqlite') });
    for (let n = 1; n <= 30; n++) await store.append(`stream-${n % 3}`, [event(n)], { expectedVersion: 'any' });
  });
  afterEach(async () => {
    await outbox.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Kept beside the outbox: a relay started later (this node restarted, or another that took the lease) reads it.
  const checkpoint = () => new RelayCheckpoint(outbox);

  it('relays every event in log order, and after a failed publish goes on from its checkpoint', async () => {
    const receiver = new Receiver();
    receiver.failNext = 2;
    const relay = new EventRelay(store, checkpoint(), receiver, { batchSize: 7, retryDelayMs: 10 });
    relay.start();
    await until(async () => (await relay.position()) === 30);
    await relay.stop();
    expect(receiver.received.map((e) => e.globalPosition)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('loses nothing and reorders nothing across a crash between publish and checkpoint: the batch comes again, with the same ids', async () => {
    const receiver = new Receiver();
    const first = new EventRelay(store, checkpoint(), receiver, { batchSize: 10 });
    // The process dies right after the broker took the second batch, before the checkpoint was written.
    let batches = 0;
    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => (crashed = resolve));
    receiver.onAccepted = () => {
      if (++batches === 2) {
        crashed();
        throw new Error('process killed');
      }
    };
    first.start();
    await crash;
    await first.stop();
    expect(receiver.received).toHaveLength(20);

    receiver.onAccepted = undefined;
    for (let n = 31; n <= 35; n++) await store.append(`stream-${n % 3}`, [event(n)], { expectedVersion: 'any' });
    const second = new EventRelay(store, checkpoint(), receiver, { batchSize: 10 });
    second.start();
    await until(async () => (await second.position()) === 35);
    await second.stop();

    const positions = receiver.received.map((e) => e.globalPosition);
    // Batch 11..20 twice, then on to 35: every event at least once, duplicates only of a whole batch.
    expect(positions).toEqual([...range(1, 20), ...range(11, 35)]);
    for (const streamId of ['stream-0', 'stream-1', 'stream-2']) {
      const versions = receiver.received.filter((e) => e.streamId === streamId).map((e) => e.streamVersion);
      const distinct = versions.filter((v, i) => !versions.slice(0, i).includes(v));
      expect(distinct).toEqual(range(1, distinct.length));
    }
  });
});

describe('EventRelay under a lost lease', () => {
  it('cannot move the checkpoint once its fence refuses: the node that took over decides where the relay stands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-relay-fence-'));
    const store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    const outbox = await createReadModelStore({ kind: 'sqlite', sqliteFile: join(dir, 'notifier.sqlite') });
    try {
      for (let n = 1; n <= 5; n++) await store.append('stream', [event(n)], { expectedVersion: 'any' });
      const received: StoredEvent[] = [];
      const lost = new RelayCheckpoint(outbox, async () => {
        throw new Error('lease event-relay is no longer held');
      });
      const relay = new EventRelay(store, lost, { name: 'sink', publish: async (events) => void received.push(...events) }, { retryDelayMs: 10_000 });
      relay.start();
      await until(() => received.length === 5);
      await relay.stop();
      expect(await new RelayCheckpoint(outbox).position('sink')).toBe(0);
    } finally {
      await outbox.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
