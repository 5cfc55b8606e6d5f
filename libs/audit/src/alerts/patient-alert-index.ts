import { setImmediate as nextTurn } from 'node:timers/promises';
import { ALERT_EVENT_TYPES } from '@vigil/domain';
import type { EventStore, StoredEvent } from '@vigil/event-store';

const BATCH = 5_000;

/**
 * The events of the alerts raised for each patient (`AlertRaised` carries `data.patientId`), gathered
 * by following the event log from where it last stopped: the first call reads the whole log once, later
 * calls only what was appended since, by this process or any other. The alert streams' events are kept
 * as the log hands them over, so a replay reads none of them again (before, every replay read each
 * alert stream of the patient: one query per alert, however old); what is held grows with the alerts in
 * the log, not with the rest of it. It asks the store for the alert events only (the types hint): SQLite
 * then skips the lab results, doses and adverse events, nine events in ten, so the first look at a
 * million-event log costs what a rebuild's typed read does; a store that ignores the hint hands over
 * everything and the rest is passed by. Correct first; the alert read model can replace it once it answers
 * "alerts of a patient".
 */
export class PatientAlertIndex {
  private position = 0;
  private readonly streamsByPatient = new Map<string, Set<string>>();
  /** Every event of each alert stream seen so far, in stream order: frozen, shared by every caller. */
  private readonly eventsByStream = new Map<string, StoredEvent[]>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  /** Every event of every alert raised for the patient, alert by alert, each alert in stream order. */
  async alertEventsOf(patientId: string): Promise<StoredEvent[]> {
    await this.catchUp();
    const events: StoredEvent[] = [];
    for (const streamId of this.streamsByPatient.get(patientId) ?? []) {
      for (const event of this.eventsByStream.get(streamId) ?? []) events.push(event);
    }
    return events;
  }

  /** Catch-ups run one after another, each reading up to the head as it is when it starts. */
  private catchUp(): Promise<void> {
    const next = this.tail.then(() => this.readNewEvents());
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async readNewEvents(): Promise<void> {
    for await (const batch of this.store.readAll({ after: this.position, batchSize: BATCH, types: ALERT_EVENT_TYPES })) {
      const from = this.position;
      for (const event of batch) await this.see(event);
      this.position = batch[batch.length - 1].globalPosition;
      // The first look reads the whole log: let other requests in between large stretches of it (a
      // replay's catch-up of a few events goes on at once, not behind whatever else waits for a turn).
      if (this.position - from >= BATCH) await nextTurn();
    }
  }

  /** Files an event of the log: the raising of an alert (its stream is then followed), or a later event of a followed stream. */
  private async see(event: StoredEvent): Promise<void> {
    const patientId = event.type === 'AlertRaised' ? (event.data as { patientId?: unknown }).patientId : undefined;
    const known = this.eventsByStream.get(event.streamId);
    if (typeof patientId === 'string') {
      const streams = this.streamsByPatient.get(patientId) ?? new Set<string>();
      streams.add(event.streamId);
      this.streamsByPatient.set(patientId, streams);
      if (!known) {
        // An alert stream starts with its raising; should one not, what came before it is read from the stream (once).
        const before = event.streamVersion > 1 ? await this.store.readStream(event.streamId, { toVersion: event.streamVersion - 1 }) : [];
        this.eventsByStream.set(event.streamId, [...before, event].map(frozen));
        return;
      }
    }
    known?.push(frozen(event));
  }
}

/** Frozen through and through: the same event objects go to every replay, which must not change them. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) frozen(item);
  }
  return value;
}
