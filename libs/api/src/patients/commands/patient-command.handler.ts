import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Actor, clinicalTimeOf, decide, patientStream, PatientState, RuleViolationError } from '@vigil/domain';
import { EVENT_STORE, EventStore, NewEvent, StoredEvent, WrongExpectedVersionError } from '@vigil/event-store';
import { VIGIL_CONFIG } from '../../vigil-config.token';
import type { VigilConfig } from '../../config';
import { assertNotLocked, isCorrection, targetVersion } from '../../auth/correction-lock';
import { VersionMismatchError } from '../../http/version-mismatch.error';
import { PatientRepository } from '../patient-repository';
import { ExecutePatientCommand, PatientCommandResult } from './execute-patient-command';

/** A concurrent writer on the same patient makes us decide again on fresh state, this many times. */
const MAX_ATTEMPTS = 5;

/**
 * Loads the stream, asks the decider, appends with the expected version (docs/architecture.md "NestJS at the
 * edges"). No business rule lives here: the decider says what may be recorded.
 */
@CommandHandler(ExecutePatientCommand)
export class PatientCommandHandler implements ICommandHandler<ExecutePatientCommand, PatientCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
    private readonly patients: PatientRepository,
  ) {}

  async execute({ patientId, command, context }: ExecutePatientCommand): Promise<PatientCommandResult> {
    const streamId = patientStream(patientId);
    // A fresh generated id cannot have been seen; a client's key may (the append re-checks atomically).
    const seen = context.clientCommandId !== false ? await this.store.findCommand(context.commandId) : null;
    if (seen) return this.repeated(patientId, streamId, seen);

    for (let attempt = 1; ; attempt++) {
      const loaded = await this.patients.load(patientId);
      if (context.expectedVersion !== undefined && context.expectedVersion !== loaded.version) {
        throw new VersionMismatchError(streamId, context.expectedVersion, loaded.version);
      }
      const now = new Date();
      if (isCorrection(command)) await this.assertCorrectable(streamId, loaded.state, command, context.actor, now);
      const events = decide(command, loaded.state, { now, maxClockSkewMs: this.config.maxClockSkewMs });
      const siteId = command.type === 'EnrolPatient' ? command.siteId : loaded.state.siteId;
      const toAppend: NewEvent[] = events.map((event) => ({
        type: event.type,
        schemaVersion: event.version,
        data: event.data,
        metadata: {
          userId: context.actor.userId,
          userName: context.actor.name,
          role: context.actor.role,
          siteId: siteId ?? null,
          occurredAt: clinicalTimeOf(event) ?? now.toISOString(),
          correlationId: context.correlationId,
          causationId: null,
          ...(context.reason ? { reason: context.reason } : {}),
        },
      }));
      try {
        const result = await this.store.append(streamId, toAppend, { expectedVersion: loaded.version, commandId: context.commandId });
        if (result.duplicate) return this.repeated(patientId, streamId, result.events, result.version);
        this.patients.advance(patientId, loaded, result.events);
        return { patientId, version: result.version, eventIds: result.events.map((e) => e.eventId), duplicate: false };
      } catch (error) {
        // Without If-Match the client did not ask for a version: decide again on the new state.
        if (error instanceof WrongExpectedVersionError && context.expectedVersion === undefined && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof WrongExpectedVersionError && context.expectedVersion !== undefined) {
          throw new VersionMismatchError(streamId, context.expectedVersion, error.actual);
        }
        throw error;
      }
    }
  }

  private async assertCorrectable(streamId: string, state: PatientState, command: Parameters<typeof targetVersion>[1], actor: Actor, now: Date): Promise<void> {
    const version = targetVersion(state, command);
    if (version === undefined || actor.role !== 'investigator') return;
    const [target] = await this.store.readStream(streamId, { fromVersion: version, toVersion: version });
    assertNotLocked(actor, target.metadata.recordedAt, now, this.config.correctionWindowMs);
  }

  private async repeated(patientId: string, streamId: string, events: StoredEvent[], version?: number): Promise<PatientCommandResult> {
    if (events.length > 0 && events[0].streamId !== streamId) {
      throw new RuleViolationError('Idempotency-Key was already used for a request on another patient', 'Idempotency-Key');
    }
    const last = events[events.length - 1];
    return {
      patientId,
      version: version ?? last?.streamVersion ?? (await this.store.streamVersion(streamId)),
      eventIds: events.map((e) => e.eventId),
      duplicate: true,
    };
  }
}
