import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Actor, PatientCommand } from '@vigil/domain';
import type { IntakeVerdict } from '@vigil/messaging';
import { httpErrorFor } from '../http/domain-exception.filter';
import { commandContext } from '../http/request-context';
import { badRequest, vigilValidationPipe } from '../http/validation';
import { ExecutePatientCommand, PatientCommandResult } from '../patients/commands/execute-patient-command';
import { labResultCommand, RecordLabResultDto } from '../patients/dto/record-lab-result.dto';
import { PatientIdPipe } from '../patients/patient-id.pipe';

/** Who records what arrives on the lab topic, in the audit trail: the central laboratory's feed, at every site. */
export const LAB_INTAKE_ACTOR: Actor = { userId: 'vigil:lab-intake', name: 'Central laboratory (Kafka lab topic)', role: 'admin', sites: [] };

/** The pipes the HTTP route runs on its path parameter and its body (setup-http.ts's global validation pipe). */
const patientIds = new PatientIdPipe();
const bodies = vigilValidationPipe();

/**
 * A lab result from the Kafka lab topic, recorded exactly as `POST /patients/:patientId/lab-results` would:
 * the value is that body plus `patientId` and `idempotencyKey` (the lab's accession number, say), checked by
 * the same pipes, run through the same command under LAB_INTAKE_ACTOR with the key as Idempotency-Key (a
 * message read twice records once). What HTTP would answer with a 4xx is refused, with its message, and records nothing.
 */
@Injectable()
export class LabResultIntake {
  constructor(private readonly commands: CommandBus) {}

  async take(value: string): Promise<IntakeVerdict> {
    try {
      const { patientId, idempotencyKey, body } = await this.parse(value);
      await this.commands.execute<ExecutePatientCommand, PatientCommandResult>(
        // The command names its patient, so that an unknown one is refused by name.
        new ExecutePatientCommand(
          patientId,
          { ...labResultCommand(body), patientId } as PatientCommand,
          commandContext(LAB_INTAKE_ACTOR, { 'idempotency-key': idempotencyKey }),
        ),
      );
      return { recorded: true };
    } catch (error) {
      const answer = httpErrorFor(error);
      if (answer.statusCode >= 500) throw error;
      return { refused: answer.message, status: answer.statusCode };
    }
  }

  private async parse(value: string): Promise<{ patientId: string; idempotencyKey: string; body: RecordLabResultDto }> {
    // Named `message`, not `value` (the Kafka record's field): a lab result has a `value` of its own.
    const notAnObject = () => badRequest([{ field: 'message', reason: 'must be a JSON object: the lab-results body plus patientId and idempotencyKey' }]);
    let message: unknown;
    try {
      message = JSON.parse(value);
    } catch {
      throw notAnObject();
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) throw notAnObject();
    const { patientId, idempotencyKey, ...fields } = message as Record<string, unknown>;
    if (typeof patientId !== 'string') throw badRequest([{ field: 'patientId', reason: 'is required: the trial patient code' }]);
    // Without a key a message read twice would be recorded twice: an empty one is no key either.
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
      throw badRequest([{ field: 'idempotencyKey', reason: "is required: an id of this result that never changes (the lab's accession number)" }]);
    }
    const body = (await bodies.transform(fields, { type: 'body', metatype: RecordLabResultDto })) as RecordLabResultDto;
    return { patientId: patientIds.transform(patientId), idempotencyKey, body };
  }
}
