import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventStore, StoredEvent } from '@vigil/event-store';

/**
 * Finds the alert streams raised for each patient (`AlertRaised` carries `data.patientId`), by
 * following the event log from where it last stopped: the first call reads the whole log once, later
 * calls only what was appended since, by this process or any other. Correct first; the alert read
 * model can replace it once it answers "alerts of a patient".
 */
export class PatientAlertIndex {
  private position = 0;
  private readonly streamsByPatient = new Map<string, Set<string>>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  /** Every event of every alert raised for the patient, alert by alert, each alert in stream order. */
  async alertEventsOf(patientId: string): Promise<StoredEvent[]> {
    await this.catchUp();
    const streams = [...(this.streamsByPatient.get(patientId) ?? [])];
    const perAlert = await Promise.all(streams.map((streamId) => this.store.readStream(streamId)));
    return perAlert.flat();
  }

  /** Catch-ups run one after another, each reading up to the head as it is when it starts. */
  private catchUp(): Promise<void> {
    const next = this.tail.then(() => this.readNewEvents());
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async readNewEvents(): Promise<void> {
    for await (const batch of this.store.readAll({ after: this.position, batchSize: 5_000 })) {
      for (const event of batch) {
        if (event.type !== 'AlertRaised') continue;
        const patientId = (event.data as { patientId?: unknown }).patientId;
        if (typeof patientId !== 'string') continue;
        const streams = this.streamsByPatient.get(patientId) ?? new Set<string>();
        streams.add(event.streamId);
        this.streamsByPatient.set(patientId, streams);
      }
      this.position = batch[batch.length - 1].globalPosition;
      await nextTurn(); // the first look reads the whole log: let other requests in between batches
    }
  }
}
