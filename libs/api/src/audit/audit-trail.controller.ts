import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { StoreVerification } from '@vigil/audit';
import { VerifyAuditTrail } from './queries/audit.queries';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditTrailController {
  constructor(private readonly queries: QueryBus) {}

  @Get('verify')
  @ApiOkResponse({ description: '{ok, streams, events, broken: [{streamId, version, reason}]}: the hash chains of every stream' })
  verify(): Promise<StoreVerification> {
    return this.queries.execute(new VerifyAuditTrail());
  }
}
