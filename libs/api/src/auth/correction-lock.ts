import { ForbiddenException } from '@nestjs/common';
import { recordOf, type Actor, type PatientCommand, type PatientState, type RecordedEntry } from '@vigil/domain';

type Correction = Extract<PatientCommand, { eventId: string }>;

/** Corrections and voids name the entry they change by its event id. */
export function isCorrection(command: PatientCommand): command is Correction {
  return 'eventId' in command && typeof command.eventId === 'string';
}

/** The entry a correction targets, if the patient has it (else the decider says 404). */
export function targetOf(state: PatientState, command: Correction): RecordedEntry<unknown> | undefined {
  return recordOf(state, 'labs', command.eventId) ?? recordOf(state, 'doses', command.eventId) ?? recordOf(state, 'adverseEvents', command.eventId);
}

/**
 * Investigators may correct their own site's entries for a while after recording them; then the entry
 * is locked and only data managers may change it (issue "Corrections and projection rebuilds").
 * Site scoping is the access guard's; this is the time lock.
 */
export function assertNotLocked(actor: Actor, recordedAt: string, now: Date, windowMs: number): void {
  if (actor.role !== 'investigator') return;
  const lockedAt = Date.parse(recordedAt) + windowMs;
  if (now.getTime() > lockedAt) {
    throw new ForbiddenException({
      statusCode: 403,
      error: 'Forbidden',
      code: 'ENTRY_LOCKED',
      message:
        `this entry was recorded at ${recordedAt} and locked at ${new Date(lockedAt).toISOString()}: ` +
        `investigators may correct an entry for ${windowMs / 3_600_000} h; ask a data manager`,
    });
  }
}
