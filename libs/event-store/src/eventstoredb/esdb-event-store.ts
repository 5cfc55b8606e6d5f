import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamSubscription,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { AppendRequest, prepareAppend } from '../append-request';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store';
import { DuplicateEventIdError, EventStoreClosedError, WrongExpectedVersionError } from '../errors';
import { checkExpectedVersion } from '../expected-version';
import { positionOfEvent, readInBatches } from '../batched-read';
import { SubscriptionSet } from '../polling-subscription';
import { sealEvents } from '../seal';
import { WakeSignal } from '../wake-signal';
import { CommandRecord, commandRecordedType, eventIdClaimedType, fromEsdbEvent, toEsdbEvent } from './esdb-records';
import { KeyedQueue } from './keyed-queue';
import { nameBasedUuid } from './name-based-uuid';

export interface EventStoreDbEventStoreOptions {
  /** esdb://host:2113?tls=false */
  url: string;
  /**
   * Prefix of every ESDB stream this store writes and reads (default none). Stores with different
   * namespaces share one EventStoreDB without seeing each other (tests).
   */
  namespace?: string;
  /** How often a waiting subscription looks for new events should the live feed miss one (default 250 ms). */
  pollIntervalMs?: number;
}

export async function createEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(options.url);
  const store = new EventStoreDbEventStore(client, options.namespace ?? '', options.pollIntervalMs ?? 250);
  try {
    // Fails fast on a wrong URL or an unreachable server.
    for await (const _ of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
  } catch (error) {
    await client.dispose();
    throw error;
  }
  return store;
}

/** Appends lost to a concurrent writer of the same stream (another process) before giving up. */
const maxAttempts = 8;
const readPage = 200;

/**
 * The EventStoreDB adapter.
 *
 * Global position: the $all commit position of the event. Appends over gRPC write one committed
 * prepare per event, so every event has its own position (commit = prepare = its log offset), and
 * positions grow in commit order. They are not dense: they are byte offsets in the log.
 *
 * Stream versions and the hash chain: the head of the stream is read, the events sealed, and
 * appended with that exact expected revision, so a concurrent writer makes the append retry
 * (for 'any') or fail (WrongExpectedVersionError), never fork the chain.
 *
 * Idempotency: ESDB cannot write two streams atomically. The events carry their command id; once
 * they are stored, `<namespace>vigil-command-<id>` records where they are. A command seen again is
 * answered from that record, or, if the process died between the two writes, from the tail of its
 * stream. Generated event ids are name-based on the command id, so a blind retry also meets
 * EventStoreDB's own idempotency check. Caller-fixed event ids are claimed in
 * `<namespace>vigil-event-id-<id>` to keep them unique across the log, as in the other stores.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly signal = new WakeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly streams = new KeyedQueue();
  private liveFeed: AllStreamSubscription | null = null;
  private liveRetry: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly namespace: string,
    private readonly pollIntervalMs: number,
  ) {}

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const request = prepareAppend(streamId, events, options);
    return this.streams.run(streamId, () => this.appendWithRetries(request));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = Math.max(options.fromVersion ?? 1, 1);
    const to = options.toVersion ?? Number.MAX_SAFE_INTEGER;
    if (to < from) return [];
    return this.readRange(streamId, from, to - from + 1);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    return (await this.tail(streamId))?.streamVersion ?? 0;
  }

  readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent[]> {
    return readInBatches(
      (after, limit, to) => this.readBatch(after, limit, to),
      options,
      () => this.assertOpen(),
      positionOfEvent,
    );
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    let position: ReadPosition = END;
    for (;;) {
      let seen = 0;
      let last: ResolvedEvent['event'] | undefined;
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: position, maxCount: readPage })) {
        seen++;
        if (!resolved.event) continue;
        last = resolved.event;
        const event = fromEsdbEvent(resolved.event, this.namespace);
        if (event) return event.globalPosition;
      }
      if (seen < readPage || !last?.position) return 0;
      position = last.position;
    }
  }

  async findCommand(commandId: string): Promise<StoredEvent[] | null> {
    this.assertOpen();
    const record = await this.commandRecord(commandId);
    return record ? this.readRange(record.streamId, record.fromVersion, record.count) : null;
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    this.startLiveFeed();
    const source = {
      readBatch: async (after: number, limit: number) => (this.closing ? [] : this.readBatch(after, limit)),
      signal: this.signal,
      pollIntervalMs: this.pollIntervalMs,
    };
    return this.subscriptions.open(options, handler, source);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.subscriptions.stopAll();
    await this.streams.idle();
    if (this.liveRetry) clearTimeout(this.liveRetry);
    await this.liveFeed?.unsubscribe().catch(() => undefined);
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closing) throw new EventStoreClosedError();
  }

  private esdbStream(streamId: string): string {
    return this.namespace + streamId;
  }

  private async appendWithRetries(request: AppendRequest): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.commandRecord(request.commandId);
      if (recorded) return this.answerAgain(recorded);
      const tail = await this.tail(request.streamId);
      if (tail?.metadata.commandId === request.commandId) return this.recoverUnrecordedCommand(request, tail);
      const version = tail?.streamVersion ?? 0;
      checkExpectedVersion(request.streamId, request.expectedVersion, version);

      if (request.events.length === 0) {
        const record: CommandRecord = { streamId: request.streamId, fromVersion: version + 1, count: 0, versionAfter: version };
        if (await this.recordCommand(request.commandId, record)) {
          return { streamId: request.streamId, events: [], version, duplicate: false };
        }
        continue; // recorded meanwhile by a twin: the next round answers from the record
      }

      await this.claimEventIds(request);
      const withIds = {
        ...request,
        events: request.events.map((event, index) => ({
          ...event,
          eventId: event.eventId ?? nameBasedUuid(`${request.commandId}/${index}`),
        })),
      };
      const sealed = sealEvents(withIds, { version, hash: tail?.hash ?? null }, new Date().toISOString());
      try {
        await this.client.appendToStream(this.esdbStream(request.streamId), sealed.map(toEsdbEvent), {
          expectedRevision: version === 0 ? NO_STREAM : BigInt(version - 1),
        });
      } catch (error) {
        if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
        if (attempt < maxAttempts) continue; // another process wrote first: look again
        const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) + 1 : 0;
        throw new WrongExpectedVersionError(request.streamId, request.expectedVersion, actual);
      }
      const stored = await this.readRange(request.streamId, version + 1, sealed.length);
      if (stored.length !== sealed.length || stored.some((event, i) => event.eventId !== sealed[i].event.eventId)) {
        // EventStoreDB answered success without writing (its own idempotency on event ids): say so, loudly.
        throw new DuplicateEventIdError(sealed.find((s, i) => stored[i]?.eventId !== s.event.eventId)!.event.eventId);
      }
      const versionAfter = version + sealed.length;
      await this.recordCommand(request.commandId, {
        streamId: request.streamId,
        fromVersion: version + 1,
        count: sealed.length,
        versionAfter,
      });
      this.signal.notify();
      return { streamId: request.streamId, events: stored, version: versionAfter, duplicate: false };
    }
  }

  private async answerAgain(record: CommandRecord): Promise<AppendResult> {
    const events = await this.readRange(record.streamId, record.fromVersion, record.count);
    return { streamId: record.streamId, events, version: record.versionAfter, duplicate: true };
  }

  /** The events are stored but the command record is not (the writer died in between): record it now. */
  private async recoverUnrecordedCommand(request: AppendRequest, tail: StoredEvent): Promise<AppendResult> {
    const events: StoredEvent[] = [];
    let version = tail.streamVersion;
    while (version >= 1) {
      const from = Math.max(1, version - readPage + 1);
      const page = (await this.readRange(request.streamId, from, version - from + 1)).reverse();
      const ours = page.filter((event) => event.metadata.commandId === request.commandId);
      events.unshift(...ours.reverse());
      if (ours.length < page.length) break;
      version = from - 1;
    }
    const record: CommandRecord = {
      streamId: request.streamId,
      fromVersion: events[0].streamVersion,
      count: events.length,
      versionAfter: tail.streamVersion,
    };
    await this.recordCommand(request.commandId, record);
    return { streamId: request.streamId, events, version: tail.streamVersion, duplicate: true };
  }

  private async commandRecord(commandId: string): Promise<CommandRecord | null> {
    const [resolved] = await this.readEsdbStream(`${this.namespace}vigil-command-${commandId}`, START, 1, FORWARDS);
    return resolved?.event ? (resolved.event.data as unknown as CommandRecord) : null;
  }

  /** False when another writer recorded the command first. */
  private async recordCommand(commandId: string, record: CommandRecord): Promise<boolean> {
    try {
      await this.client.appendToStream(
        `${this.namespace}vigil-command-${commandId}`,
        jsonEvent({ id: nameBasedUuid(`command/${commandId}`), type: commandRecordedType, data: { ...record } }),
        { expectedRevision: NO_STREAM },
      );
      return true;
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) return false;
      throw error;
    }
  }

  private async claimEventIds(request: AppendRequest): Promise<void> {
    for (const event of request.events) {
      if (event.eventId === null) continue;
      const claimStream = `${this.namespace}vigil-event-id-${event.eventId}`;
      try {
        await this.client.appendToStream(
          claimStream,
          jsonEvent({ type: eventIdClaimedType, data: { commandId: request.commandId, streamId: request.streamId } }),
          { expectedRevision: NO_STREAM },
        );
      } catch (error) {
        if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
        const [claim] = await this.readEsdbStream(claimStream, START, 1, FORWARDS);
        if ((claim?.event?.data as { commandId?: string } | undefined)?.commandId !== request.commandId) {
          throw new DuplicateEventIdError(event.eventId);
        }
      }
    }
  }

  private async tail(streamId: string): Promise<StoredEvent | null> {
    const [last] = await this.readEsdbStream(this.esdbStream(streamId), END, 1, BACKWARDS);
    return last?.event ? fromEsdbEvent(last.event, this.namespace) : null;
  }

  private async readRange(streamId: string, fromVersion: number, count: number): Promise<StoredEvent[]> {
    if (count <= 0) return [];
    const resolved = await this.readEsdbStream(this.esdbStream(streamId), BigInt(fromVersion - 1), count, FORWARDS);
    return resolved.flatMap((r) => {
      const event = r.event && fromEsdbEvent(r.event, this.namespace);
      return event ? [event] : [];
    });
  }

  private async readEsdbStream(
    stream: string,
    fromRevision: bigint | typeof START | typeof END,
    maxCount: number,
    direction: typeof FORWARDS | typeof BACKWARDS,
  ): Promise<ResolvedEvent[]> {
    const events: ResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, { fromRevision, maxCount, direction })) events.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /** Up to `limit` Vigil events of this namespace with global position > after (and ≤ to), from $all. */
  private async readBatch(after: number, limit: number, to = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
    const batch: StoredEvent[] = [];
    let cursor = after;
    for (;;) {
      // Reading $all from a position includes the event at that position: it is skipped below.
      const fromPosition: ReadPosition = cursor === 0 ? START : { commit: BigInt(cursor), prepare: BigInt(cursor) };
      let seen = 0;
      for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition, maxCount: readPage })) {
        seen++;
        const recorded = resolved.event;
        if (!recorded) continue;
        const position = Number(recorded.position.commit);
        if (position <= cursor) continue;
        if (position > to) return batch;
        cursor = position;
        const event = fromEsdbEvent(recorded, this.namespace);
        if (event) batch.push(event);
        if (batch.length === limit) return batch;
      }
      if (seen < readPage) return batch;
    }
  }

  /** Wakes subscriptions when anything is written to this namespace, by this process or another. */
  private startLiveFeed(): void {
    if (this.liveFeed || this.liveRetry || this.closing) return;
    const filter = this.namespace ? streamNameFilter({ prefixes: [this.namespace] }) : excludeSystemEvents();
    const feed = this.client.subscribeToAll({ fromPosition: END, filter });
    this.liveFeed = feed;
    feed.on('data', () => this.signal.notify());
    feed.on('error', () => {
      if (this.liveFeed !== feed) return;
      this.liveFeed = null;
      if (this.closing) return;
      this.liveRetry = setTimeout(() => {
        this.liveRetry = null;
        this.startLiveFeed();
      }, this.pollIntervalMs);
    });
  }
}
