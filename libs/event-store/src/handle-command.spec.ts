import { WrongExpectedVersionError } from './errors';
import type { EventStore, NewEvent } from './event-store';
import { foldStream, handleCommand, type DecidedEvent } from './handle-command';
import { createSqliteEventStore } from './sqlite/sqlite-event-store';

/** A count of doses, as a decider sees its stream. */
interface Doses {
  given: number;
}

const STREAM = 'patient-P-001';
const dose = (n: number): DecidedEvent => ({ type: 'DoseAdministered', version: 1, data: { n } });
const metadata = () => ({ userId: 'u-inv', role: 'investigator', occurredAt: '2026-01-05T09:00:00.000Z', correlationId: 'c-1' });
const fromAnotherWriter: NewEvent = { type: 'DoseAdministered', schemaVersion: 1, data: { n: 0 }, metadata: metadata() };

/** A domain error as a decider throws it. */
class DoseLimitReached extends Error {
  readonly code = 'DOSE_LIMIT_REACHED';
}

/**
 * The store as seen by a command that keeps losing the race: before each of its first `conflicts` appends
 * to a stream, another writer appends one event to that stream, so the command's append meets a real
 * WrongExpectedVersionError from SQLite.
 */
function contended(store: EventStore, conflicts: number): { store: EventStore; appends: () => number } {
  let appends = 0;
  let left = conflicts;
  return {
    appends: () => appends,
    store: new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'append') return Reflect.get(target, property, receiver);
        return async (streamId: string, events: NewEvent[], options: Parameters<EventStore['append']>[2]) => {
          appends += 1;
          if (left > 0) {
            left -= 1;
            await target.append(streamId, [fromAnotherWriter], { expectedVersion: await target.streamVersion(streamId) });
          }
          return target.append(streamId, events, options);
        };
      },
    }),
  };
}

describe('handleCommand', () => {
  let store: EventStore;
  const load = () =>
    foldStream<Doses>(
      store,
      () => ({ given: 0 }),
      (state) => ({ given: state.given + 1 }),
    );

  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
  });
  afterEach(() => store.close());

  it('decides again on the new state after a concurrent writer moved the stream, and appends once', async () => {
    const race = contended(store, 2);
    const decidedOn: number[] = [];
    const handled = await handleCommand(
      race.store,
      STREAM,
      (state: Doses) => {
        decidedOn.push(state.given);
        return [dose(state.given + 1)];
      },
      { load: load(), metadata },
    );
    expect(decidedOn).toEqual([0, 1, 2]);
    expect(race.appends()).toBe(3);
    expect(handled.version).toBe(3);
    expect(handled.events.map((event) => event.data)).toEqual([{ n: 3 }]);
    expect(await store.streamVersion(STREAM)).toBe(3);
  });

  it('gives up with WrongExpectedVersionError once its retries are spent', async () => {
    const race = contended(store, 10);
    const attempt = handleCommand(race.store, STREAM, () => [dose(1)], { load: load(), metadata, retries: 2 });
    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(race.appends()).toBe(3);
    // Only the other writer's events were stored.
    expect((await store.readStream(STREAM)).map((event) => event.data)).toEqual([{ n: 0 }, { n: 0 }, { n: 0 }]);
  });

  it('does not retry when the version the caller saw (If-Match) is not the stream’s', async () => {
    await store.append(STREAM, [fromAnotherWriter], { expectedVersion: 0 });
    let decisions = 0;
    const attempt = handleCommand(
      store,
      STREAM,
      () => {
        decisions += 1;
        return [dose(1)];
      },
      { load: load(), metadata, expectedVersion: 0 },
    );
    await expect(attempt).rejects.toMatchObject({ name: 'WrongExpectedVersionError', expected: 0, actual: 1 });
    expect(decisions).toBe(0);
    expect(await store.streamVersion(STREAM)).toBe(1);
  });

  it('does not retry a conflict at append when the caller pinned the version', async () => {
    const race = contended(store, 1);
    const folded = load();
    let loads = 0;
    let decisions = 0;
    const attempt = handleCommand(
      race.store,
      STREAM,
      () => {
        decisions += 1;
        return [dose(1)];
      },
      {
        load: (streamId) => {
          loads += 1;
          return folded(streamId);
        },
        metadata,
        expectedVersion: 0,
      },
    );
    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(loads).toBe(1);
    expect(decisions).toBe(1);
    expect(race.appends()).toBe(1);
    expect(await store.streamVersion(STREAM)).toBe(1);
  });

  it('appends nothing when the decider decides nothing', async () => {
    await store.append(STREAM, [fromAnotherWriter], { expectedVersion: 0 });
    const race = contended(store, 0);
    const handled = await handleCommand(race.store, STREAM, () => [], { load: load(), metadata });
    expect(handled).toMatchObject({ events: [], version: 1, duplicate: false });
    expect(race.appends()).toBe(0);
    expect(await store.headPosition()).toBe(1);
  });

  it('lets a domain error through untouched and does not decide again', async () => {
    const refusal = new DoseLimitReached('the protocol allows 18 doses');
    let decisions = 0;
    const attempt = handleCommand(
      store,
      STREAM,
      () => {
        decisions += 1;
        throw refusal;
      },
      { load: load(), metadata },
    );
    await expect(attempt).rejects.toBe(refusal);
    expect(decisions).toBe(1);
    expect(await store.streamVersion(STREAM)).toBe(0);
  });
});
