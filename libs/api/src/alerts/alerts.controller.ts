import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@vigil/domain';
import { CurrentSiteScope, SiteScope } from '../auth/site-scope';
import { CurrentActor } from '../identity/current-actor.decorator';
import { commandContext, HttpHeaders } from '../http/request-context';
import { FreshReadModels } from '../http/fresh-read-models.interceptor';
import { badRequest } from '../http/validation';
import { AcknowledgeAlertCommand, AcknowledgedAlert } from './acknowledge-alert.command';
import { GetAlert, ListAlerts } from './alert.queries';
import { AcknowledgeAlertDto } from './dto/acknowledge-alert.dto';
import { AlertPageResponse, AlertResponse } from './dto/alert.response';
import { ListAlertsQueryDto } from './dto/list-alerts.query.dto';
import type { ServedAlert, ServedAlertPage } from './served-alert';

const alertIdPipe = new ParseUUIDPipe({ exceptionFactory: () => badRequest([{ field: 'alertId', reason: 'must be a UUID' }]) });

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @FreshReadModels()
  @ApiOkResponse({ type: AlertPageResponse, description: 'Alerts, newest first' })
  @ApiBadRequestResponse({ description: 'A filter is malformed (the field is named)' })
  list(@Query() query: ListAlertsQueryDto, @CurrentSiteScope() scope: SiteScope): Promise<ServedAlertPage> {
    const { status, patientId, siteId, ruleId, severity, limit, cursor } = query;
    return this.queries.execute(new ListAlerts({ status, patientId, siteId, ruleId, severity, limit, cursor }, scope));
  }

  @Get(':alertId')
  @FreshReadModels()
  @ApiOkResponse({ type: AlertResponse })
  @ApiNotFoundResponse({ description: 'No such alert' })
  get(@Param('alertId', alertIdPipe) alertId: string): Promise<ServedAlert> {
    return this.queries.execute(new GetAlert(alertId));
  }

  @Post(':alertId/acknowledge')
  @HttpCode(200)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key again records nothing new' })
  @ApiOkResponse({ type: AlertResponse, description: 'The alert, acknowledged (a second acknowledgement records nothing)' })
  @ApiNotFoundResponse({ description: 'No such alert' })
  async acknowledge(
    @Param('alertId', alertIdPipe) alertId: string,
    @Body() body: AcknowledgeAlertDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ServedAlert> {
    const result = await this.commands.execute<AcknowledgeAlertCommand, AcknowledgedAlert>(
      new AcknowledgeAlertCommand(alertId, body.note, commandContext(actor, headers)),
    );
    if (!result.recorded) reply.header('Idempotent-Replayed', 'true');
    return result.alert;
  }
}
