/**
 * Typed domain errors. The API maps them to HTTP once, in one exception filter (docs/architecture.md):
 * ValidationError 400, *NotFound 404, PatientAlreadyEnrolled 409, RuleViolation and EventAlreadyVoided 422.
 * `code` is stable and machine-readable; the message is for people.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A command or value is malformed or impossible: `field` names what is wrong, `reason` says why. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export class PatientNotFoundError extends DomainError {
  readonly code = 'PATIENT_NOT_FOUND';
  constructor(readonly patientId: string) {
    super(`patient ${patientId} is not enrolled`);
  }
}

export class PatientAlreadyEnrolledError extends DomainError {
  readonly code = 'PATIENT_ALREADY_ENROLLED';
  constructor(readonly patientId: string) {
    super(`patient ${patientId} is already enrolled`);
  }
}

/** A well-formed command that breaks a business rule (HTTP 422). */
export class RuleViolationError extends DomainError {
  readonly code = 'RULE_VIOLATION';
  constructor(
    readonly reason: string,
    readonly field?: string,
  ) {
    super(field ? `${field}: ${reason}` : reason);
  }
}

export class AlertNotFoundError extends DomainError {
  readonly code = 'ALERT_NOT_FOUND';
  constructor(readonly alertId: string) {
    super(`alert ${alertId} was never raised`);
  }
}

/** A correction or void targets an event that does not exist, or is not of the kind the command corrects. */
export class EventNotFoundError extends DomainError {
  readonly code = 'EVENT_NOT_FOUND';
  constructor(
    readonly eventId: string,
    readonly expectedKind?: string,
  ) {
    super(expectedKind ? `no ${expectedKind} with event id ${eventId}` : `no event with id ${eventId}`);
  }
}

export class EventAlreadyVoidedError extends DomainError {
  readonly code = 'EVENT_ALREADY_VOIDED';
  constructor(readonly eventId: string) {
    super(`event ${eventId} was already marked entered in error`);
  }
}
