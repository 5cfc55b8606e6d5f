import { v7 as timeOrderedUuid } from 'uuid';
import { AppendRequest } from '../append-request';
import { canonicalString } from '../canonical-json';
import { AppendResult, EventMetadata, ExpectedVersion, StoredEvent } from '../event-store';
import { DuplicateEventIdError, WrongExpectedVersionError } from '../errors';
import { stampedMetadata } from '../seal';

/** An event as it is sent: all but what the database gives it (stream version, global position, hashes). */
interface OutgoingEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

/** The parameters of one `append_batch` call (append-function.ts), and the events they carry, per append. */
export interface BatchCall {
  values: unknown[];
  events: OutgoingEvent[][];
}

/** What `append_batch` answers: one row of arrays (bigint arrays come as text). */
export interface BatchAnswer {
  outcomes: ('stored' | 'duplicate' | 'wrong_version' | 'event_id_taken')[];
  versions: number[];
  command_streams: (string | null)[];
  command_counts: (number | null)[];
  taken_ids: (string | null)[];
  first_positions: (string | null)[];
  previous_hashes: (string | null)[];
  hashes: string[];
}

/** What became of one append of a batch. A duplicate still has to be answered with its first result's events. */
export type BatchOutcome =
  | { kind: 'stored'; result: AppendResult }
  | { kind: 'duplicate'; streamId: string; version: number; eventCount: number | null }
  | { kind: 'failed'; error: Error };

export const appendBatchCall = (schema: string) =>
  `SELECT * FROM ${schema}.append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`;

export function batchCall(batch: AppendRequest[], recordedAt: string): BatchCall {
  const streams: string[] = [];
  const streamJson: string[] = [];
  const commands: string[] = [];
  const expected: number[] = [];
  const firsts: number[] = [];
  const counts: number[] = [];
  const sameStream: (number | null)[] = [];
  const sameCommand: (number | null)[] = [];
  const lastOfStream = new Map<string, number>();
  const lastOfCommand = new Map<string, number>();
  const ids: string[] = [];
  const fixed: boolean[] = [];
  const types: string[] = [];
  const typeJson: string[] = [];
  const schemaVersions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  const recordedAts: string[] = [];
  const events = batch.map((request, i) => {
    // 1-based, as SQL arrays are: the append before this one in the batch on the same stream, with the same command.
    sameStream.push(lastOfStream.get(request.streamId) ?? null);
    sameCommand.push(lastOfCommand.get(request.commandId) ?? null);
    lastOfStream.set(request.streamId, i + 1);
    lastOfCommand.set(request.commandId, i + 1);
    streams.push(request.streamId);
    streamJson.push(canonicalString(request.streamId));
    commands.push(request.commandId);
    expected.push(expectedCode(request.expectedVersion));
    firsts.push(ids.length + 1);
    counts.push(request.events.length);
    return request.events.map((prepared): OutgoingEvent => {
      const { text: metadataJson, value: stamped } = stampedMetadata(prepared, request.commandId, recordedAt);
      // Time-ordered ids keep the event-id index append-mostly (seal.ts).
      const eventId = prepared.eventId ?? timeOrderedUuid();
      ids.push(eventId);
      fixed.push(prepared.eventId !== null);
      types.push(prepared.type);
      typeJson.push(canonicalString(prepared.type));
      schemaVersions.push(prepared.schemaVersion);
      data.push(prepared.dataJson);
      metadata.push(metadataJson);
      recordedAts.push(stamped.recordedAt);
      return { eventId, type: prepared.type, schemaVersion: prepared.schemaVersion, data: prepared.data, metadata: stamped };
    });
  });
  return {
    values: [
      streams,
      streamJson,
      commands,
      expected,
      firsts,
      counts,
      sameStream,
      sameCommand,
      ids,
      fixed,
      types,
      typeJson,
      schemaVersions,
      // JSON arrays of the canonical texts as they are (append-function.ts): nothing to escape.
      `[${data.join(',')}]`,
      `[${metadata.join(',')}]`,
      recordedAts,
      recordedAt,
    ],
    events,
  };
}

/** Reads the answer of `append_batch` back into one outcome per append of the batch, in order. */
export function batchOutcomes(batch: AppendRequest[], call: BatchCall, answer: BatchAnswer): BatchOutcome[] {
  let next = 0;
  return batch.map((request, i): BatchOutcome => {
    const version = answer.versions[i];
    switch (answer.outcomes[i]) {
      case 'stored': {
        const first = Number(answer.first_positions[i]);
        const events = call.events[i].map((event, k): StoredEvent => ({
          ...event,
          streamId: request.streamId,
          streamVersion: version - call.events[i].length + k + 1,
          globalPosition: first + k,
          hash: answer.hashes[next + k],
          previousHash: k === 0 ? answer.previous_hashes[i] : answer.hashes[next + k - 1],
        }));
        next += events.length;
        return { kind: 'stored', result: { streamId: request.streamId, events, version, duplicate: false } };
      }
      case 'duplicate':
        return { kind: 'duplicate', streamId: answer.command_streams[i] as string, version, eventCount: answer.command_counts[i] };
      case 'wrong_version':
        return { kind: 'failed', error: new WrongExpectedVersionError(request.streamId, request.expectedVersion, version) };
      case 'event_id_taken':
        return { kind: 'failed', error: new DuplicateEventIdError(answer.taken_ids[i] as string) };
      default:
        throw new Error(`append_batch answered ${JSON.stringify(answer.outcomes[i])} for append ${i}`);
    }
  });
}

/** -1 for 'any', -2 for 'stream_exists'; 'no_stream' is version 0. */
function expectedCode(expected: ExpectedVersion): number {
  if (expected === 'any') return -1;
  if (expected === 'stream_exists') return -2;
  if (expected === 'no_stream') return 0;
  return expected;
}
