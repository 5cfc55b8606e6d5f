import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Actor, clinicalTimeOf, decide, patientStream, PatientState, RuleViolationError, type PatientCommand, type PatientEvent } from '@vigil/domain';
import { EVENT_STORE, EventStore, handleCommand, StoredEvent, WrongExpectedVersionError } from '@vigil/event-store';
import { VIGIL_CONFIG } from '../../vigil-config.token';
import type { VigilConfig } from '../../config';
import { assertNotLocked, isCorrection, targetOf } from '../../auth/correction-lock';
import { VersionMismatchError } from '../../http/version-mismatch.error';
import { PatientStates } from '../patient-states';
import { ExecutePatientCommand, PatientCommandResult } from './execute-patient-command';

/**
 * Runs a patient command through the one command path (handleCommand: load, decide, append with the
 * expected version, retry on a concurrent writer). No business rule lives here: the decider says what may
 * be recorded; this adds who, when and why, and the investigators' correction lock.
 */
@CommandHandler(ExecutePatientCommand)
export class PatientCommandHandler implements ICommandHandler<ExecutePatientCommand, PatientCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
    private readonly patients: PatientStates,
  ) {}

  async execute({ patientId, command, context }: ExecutePatientCommand): Promise<PatientCommandResult> {
    const streamId = patientStream(patientId);
    // A fresh generated id cannot have been seen; a client's key may (the append re-checks atomically).
    const seen = context.clientCommandId !== false ? await this.store.findCommand(context.commandId) : null;
    if (seen) return this.repeated(patientId, streamId, seen);
    const clock = () => context.recordedAt ?? new Date();
    let decidedAt = clock();
    try {
      const handled = await handleCommand<PatientState, PatientEvent>(
        this.store,
        streamId,
        (state) => {
          decidedAt = clock();
          if (isCorrection(command)) this.assertCorrectable(state, command, context.actor, decidedAt);
          return decide(command, state, { now: decidedAt, maxClockSkewMs: this.config.maxClockSkewMs, protocol: this.config.protocol });
        },
        {
          load: (id) => this.patients.load(id),
          metadata: (event, loaded) => ({
            userId: context.actor.userId,
            userName: context.actor.name,
            role: context.actor.role,
            siteId: (command.type === 'EnrolPatient' ? command.siteId : loaded.state.siteId) ?? null,
            occurredAt: clinicalTimeOf(event) ?? decidedAt.toISOString(),
            correlationId: context.correlationId,
            causationId: null,
            ...(context.reason ? { reason: context.reason } : {}),
            ...(context.recordedAt ? { recordedAt: context.recordedAt.toISOString() } : {}),
          }),
          commandId: context.commandId,
          ...(context.expectedVersion !== undefined ? { expectedVersion: context.expectedVersion } : {}),
          appended: (id, _loaded, events) => this.patients.advance(id, events),
        },
      );
      if (handled.duplicate) return this.repeated(patientId, streamId, handled.events, handled.version);
      return { patientId, version: handled.version, eventIds: handled.events.map((e) => e.eventId), duplicate: false };
    } catch (error) {
      // With If-Match the client named a version: a moved stream is a 409 for it, never decided again.
      if (error instanceof WrongExpectedVersionError && context.expectedVersion !== undefined) {
        throw new VersionMismatchError(streamId, context.expectedVersion, error.actual);
      }
      throw error;
    }
  }

  private assertCorrectable(state: PatientState, command: Extract<PatientCommand, { eventId: string }>, actor: Actor, now: Date): void {
    const target = targetOf(state, command);
    if (!target?.recordedAt || actor.role !== 'investigator') return;
    assertNotLocked(actor, target.recordedAt, now, this.config.correctionWindowMs);
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
