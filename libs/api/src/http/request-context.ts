import { v7 as timeOrderedUuid } from 'uuid';
import type { Actor } from '@vigil/domain';
import type { CommandContext } from '../patients/commands/execute-patient-command';
import { parseIdempotencyKey, parseIfMatch } from './if-match';

export interface HttpHeaders {
  'idempotency-key'?: string;
  'if-match'?: string;
  'x-correlation-id'?: string;
}

/** The command's envelope from the request: who, which command id, which version the client saw. */
export function commandContext(actor: Actor, headers: HttpHeaders, reason?: string): CommandContext {
  const key = parseIdempotencyKey(headers['idempotency-key']);
  const commandId = key ?? timeOrderedUuid();
  const correlation = headers['x-correlation-id'];
  return {
    actor,
    commandId,
    clientCommandId: key !== undefined,
    correlationId: correlation && correlation.length <= 128 ? correlation : commandId,
    expectedVersion: parseIfMatch(headers['if-match']),
    ...(reason ? { reason } : {}),
  };
}
