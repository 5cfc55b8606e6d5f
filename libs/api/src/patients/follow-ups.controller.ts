import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor, PatientCommand } from '@vigil/domain';
import { CurrentActor } from '../identity/current-actor.decorator';
import { commandContext, HttpHeaders } from '../http/request-context';
import { toUtc } from '../http/timestamp';
import { executeAndReply, recorded } from './commands/execute-and-reply';
import { AssessAdverseEventDto, ChangeTreatmentStatusDto, ReportRecordedDto } from './dto/follow-ups.dto';
import { RecordedResponse } from './dto/patient.response';
import { EventIdPipe } from './event-id.pipe';
import { PatientIdPipe } from './patient-id.pipe';

/**
 * What follows an adverse event (docs/safety-rules.md §5) and the treatment's course: the report to the
 * sponsor (closes the SAE 24-hour clock), the sponsor's assessment (expectedness, causality: a SUSAR starts
 * its clock), the report to the regulator (closes it), and the treatment status (after a stop no dose is
 * expected). Each is an event of the patient's stream; the alerting reactor judges it.
 */
@ApiTags('adverse events and treatment')
@Controller('patients/:patientId')
export class FollowUpsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('adverse-events/:eventId/sponsor-reports')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The SponsorReportRecorded event; the SAE-24H alert is closed (late when after its deadline)' })
  @ApiNotFoundResponse({ description: 'Unknown patient or adverse event' })
  @ApiUnprocessableEntityResponse({ description: 'The adverse event is not serious, or was voided' })
  sponsorReport(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: ReportRecordedDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command: PatientCommand = { type: 'RecordSponsorReport', adverseEventId: eventId, reportedAt: toUtc(body.reportedAt), ...reference(body) };
    return this.run(patientId, command, actor, headers, reply);
  }

  @Post('adverse-events/:eventId/assessments')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The AdverseEventAssessed event; serious + related + unexpected raises SUSAR-7D or SUSAR-15D' })
  @ApiNotFoundResponse({ description: 'Unknown patient or adverse event' })
  @ApiUnprocessableEntityResponse({ description: 'The adverse event was voided' })
  assess(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: AssessAdverseEventDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command: PatientCommand = {
      type: 'AssessAdverseEvent',
      adverseEventId: eventId,
      expected: body.expected,
      causality: body.causality,
      ...(body.note !== undefined ? { note: body.note } : {}),
    };
    return this.run(patientId, command, actor, headers, reply);
  }

  @Post('adverse-events/:eventId/regulatory-reports')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The RegulatoryReportRecorded event; the SUSAR alert is closed' })
  @ApiNotFoundResponse({ description: 'Unknown patient or adverse event' })
  @ApiUnprocessableEntityResponse({ description: 'The adverse event is not a SUSAR (serious, assessed as related and unexpected), or was voided' })
  regulatoryReport(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: ReportRecordedDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command: PatientCommand = { type: 'RecordRegulatoryReport', adverseEventId: eventId, reportedAt: toUtc(body.reportedAt), ...reference(body) };
    return this.run(patientId, command, actor, headers, reply);
  }

  @Post('treatment-status')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The TreatmentStatusChanged event' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  treatmentStatus(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Body() body: ChangeTreatmentStatusDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command: PatientCommand = { type: 'ChangeTreatmentStatus', status: body.status, effectiveAt: toUtc(body.effectiveAt), reason: body.reason };
    return this.run(patientId, command, actor, headers, reply);
  }

  private async run(patientId: string, command: PatientCommand, actor: Actor, headers: HttpHeaders, reply: FastifyReply) {
    return recorded(await executeAndReply(this.commands, patientId, command, commandContext(actor, headers), reply));
  }
}

const reference = (body: ReportRecordedDto): { reference?: string } => (body.reference !== undefined ? { reference: body.reference } : {});
