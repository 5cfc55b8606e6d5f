import { alertStream, patientStream, type AlertEvent, type PatientEvent } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';

/**
 * A hand-written event log for the reports' specs: each event appended in global order with its stream,
 * version and recording time, as a store would hand them over. Event ids are `<stream>#<version>`.
 */
export class TrialLog {
  readonly events: StoredEvent[] = [];
  private readonly versions = new Map<string, number>();

  patient(patientId: string, event: PatientEvent, recordedAt: string): string {
    return this.append(patientStream(patientId), event, recordedAt);
  }

  alert(alertId: string, event: AlertEvent, recordedAt: string): string {
    return this.append(alertStream(alertId), event, recordedAt);
  }

  private append(streamId: string, event: PatientEvent | AlertEvent, recordedAt: string): string {
    const version = (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, version);
    const eventId = `${streamId}#${version}`;
    this.events.push({
      eventId,
      streamId,
      streamVersion: version,
      globalPosition: this.events.length + 1,
      type: event.type,
      schemaVersion: event.version,
      data: event.data,
      metadata: { userId: 'spec', role: 'admin', occurredAt: recordedAt, recordedAt, correlationId: eventId, commandId: eventId },
      hash: '',
      previousHash: null,
    });
    return eventId;
  }
}
