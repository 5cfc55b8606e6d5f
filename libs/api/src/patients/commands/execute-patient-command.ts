import type { Actor, PatientCommand } from '@vigil/domain';

export interface CommandContext {
  actor: Actor;
  /**
   * When the events are recorded, for a simulated history only (the demo cohort, loaded in process, records
   * each fact as if entered on its day). Never taken from a request: over HTTP the store stamps the time.
   */
  recordedAt?: Date;
  /** Idempotency-Key of the request, or a generated id. */
  commandId: string;
  /** True when the client chose the command id (Idempotency-Key): only then can it have been seen before. */
  clientCommandId?: boolean;
  correlationId: string;
  /** From `If-Match`: the version the client last saw. */
  expectedVersion?: number;
  /** Why, for corrections and voids. */
  reason?: string;
}

export interface PatientCommandResult {
  patientId: string;
  /** Stream version after the command (the patient's new ETag). */
  version: number;
  eventIds: string[];
  /** True when the same command id had already been executed: nothing new was recorded. */
  duplicate: boolean;
}

/** Runs one domain command against one patient's stream. */
export class ExecutePatientCommand {
  constructor(
    readonly patientId: string,
    readonly command: PatientCommand,
    readonly context: CommandContext,
  ) {}
}
