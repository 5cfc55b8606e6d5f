import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { StoreVerification } from '@vigil/audit';
import { StoreVerificationResponse } from './dto/audit.response';
import { VerifyAuditTrail } from './queries/audit.queries';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditTrailController {
  constructor(private readonly queries: QueryBus) {}

  @Get('verify')
  @ApiOkResponse({ type: StoreVerificationResponse, description: 'The hash chains of every stream: ok, or the broken links named' })
  verify(): Promise<StoreVerification> {
    return this.queries.execute(new VerifyAuditTrail());
  }
}
