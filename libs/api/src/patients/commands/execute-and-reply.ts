import type { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import type { PatientCommand } from '@vigil/domain';
import { etagFor } from '../../http/if-match';
import { CommandContext, ExecutePatientCommand, PatientCommandResult } from './execute-patient-command';

/** Runs a patient command and sets the reply's ETag (and `Idempotent-Replayed` for a repeated key). */
export async function executeAndReply(
  bus: CommandBus,
  patientId: string,
  command: PatientCommand,
  context: CommandContext,
  reply: FastifyReply,
): Promise<PatientCommandResult> {
  const result = await bus.execute<ExecutePatientCommand, PatientCommandResult>(new ExecutePatientCommand(patientId, command, context));
  reply.header('ETag', etagFor(result.version));
  if (result.duplicate) reply.header('Idempotent-Replayed', 'true');
  return result;
}

/** What a recording endpoint answers: the (first) event it stored and the patient's new version. */
export const recorded = (result: PatientCommandResult) => ({ eventId: result.eventIds[0], version: result.version });
