import { randomUUID } from 'node:crypto';
import { clinicalTimeOf, decide, patientStream, replayPatient, type EnrolPatient, type PatientCommand } from '@vigil/domain';
import type { EventStore, StoredEvent } from '@vigil/event-store';

/**
 * Test support: records patient commands the way the API does (load the stream, decide, append with
 * the expected version), so tests feed projections and the alerting with real domain events. With a
 * clock of its own, events are recorded at that time (as a site entering data on that day would).
 */
export class PatientLog {
  constructor(
    private readonly store: EventStore,
    private readonly now?: () => Date,
  ) {}

  async run(patientId: string, command: PatientCommand): Promise<StoredEvent[]> {
    const history = await this.store.readStream(patientStream(patientId));
    const state = replayPatient(history);
    const now = this.now?.() ?? new Date();
    const events = decide(command, state, { now });
    const correlationId = randomUUID();
    const result = await this.store.append(
      patientStream(patientId),
      events.map((event) => {
        const occurredAt = clinicalTimeOf(event);
        return {
          type: event.type,
          schemaVersion: event.version,
          data: event.data,
          metadata: {
            userId: 'investigator-1',
            role: 'investigator',
            siteId: state.siteId ?? (command as EnrolPatient).siteId ?? null,
            occurredAt: occurredAt ?? now.toISOString(),
            correlationId,
            causationId: null,
            ...(this.now ? { recordedAt: now.toISOString() } : {}),
            ...('reason' in command ? { reason: command.reason } : {}),
          },
        };
      }),
      { expectedVersion: history.length },
    );
    return result.events;
  }

  enrol(patientId: string, disease: string, overrides: Partial<EnrolPatient> = {}): Promise<StoredEvent[]> {
    return this.run(patientId, {
      type: 'EnrolPatient',
      patientId,
      siteId: 'PSL',
      disease,
      sex: 'F',
      birthYear: 1970,
      weightKg: 60,
      enrolledAt: '2026-01-05T09:00:00Z',
      ...overrides,
    });
  }

  async lab(
    patientId: string,
    test: string,
    value: number,
    unit: string,
    extra: { referenceRange?: { low?: number; high?: number }; collectedAt?: string } = {},
  ): Promise<StoredEvent> {
    const [event] = await this.run(patientId, {
      type: 'RecordLabResult',
      test,
      value,
      unit,
      collectedAt: extra.collectedAt ?? '2026-02-02T08:00:00Z',
      ...(extra.referenceRange ? { referenceRange: extra.referenceRange } : {}),
    });
    return event;
  }
}
