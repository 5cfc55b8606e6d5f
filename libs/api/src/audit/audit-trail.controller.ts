import { Controller, Get, Headers, NotFoundException, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditPublicKey, checkpointPageFromQuery, StoreVerification } from '@vigil/audit';
import type { SignedCheckpoint } from '@vigil/event-store';
import { AuditPublicKeyResponse, CheckpointPageResponse, StoreVerificationResponse } from './dto/audit.response';
import { GetAuditPublicKey, ListCheckpoints, VerifyAuditTrail } from './queries/audit.queries';

@ApiTags('audit')
@ApiExtraModels(AuditPublicKeyResponse)
@Controller('audit')
export class AuditTrailController {
  constructor(private readonly queries: QueryBus) {}

  @Get('verify')
  @ApiOkResponse({
    type: StoreVerificationResponse,
    description: 'The hash chains of every stream, and every signed checkpoint (its signature, and the root the log gives at its size)',
  })
  verify(): Promise<StoreVerification> {
    return this.queries.execute(new VerifyAuditTrail());
  }

  @Get('checkpoints')
  @ApiQuery({ name: 'after', required: false, description: 'Only checkpoints with a larger tree size (default 0)' })
  @ApiQuery({ name: 'limit', required: false, description: 'At most this many (default 100, at most 1000)' })
  @ApiOkResponse({ type: CheckpointPageResponse, description: 'The signed checkpoints, smallest tree size first' })
  async checkpoints(@Query() query: Record<string, unknown>): Promise<{ items: SignedCheckpoint[] }> {
    return { items: await this.queries.execute(new ListCheckpoints(checkpointPageFromQuery(query))) };
  }

  @Get('public-key')
  @ApiProduces('application/x-pem-file', 'application/json')
  @ApiOkResponse({
    content: {
      'application/x-pem-file': { schema: { type: 'string' } },
      'application/json': { schema: { $ref: getSchemaPath(AuditPublicKeyResponse) } },
    },
    description: 'The Ed25519 public key that signs checkpoints, as PEM (SPKI), or as JSON with `Accept: application/json`. No token needed.',
  })
  @ApiNotFoundResponse({ description: 'Checkpoints are off: no signing key is configured' })
  async publicKey(@Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | object> {
    const key = await this.queries.execute<GetAuditPublicKey, AuditPublicKey | { off: string }>(new GetAuditPublicKey());
    if ('off' in key) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `checkpoints are off: ${key.off}` });
    reply.header('X-Vigil-Key-Id', key.keyId);
    if (accept?.includes('application/json')) return { keyId: key.keyId, algorithm: 'Ed25519', publicKey: key.pem };
    reply.header('Content-Type', 'application/x-pem-file; charset=utf-8');
    return key.pem;
  }
}
