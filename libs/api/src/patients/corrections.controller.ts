import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RECORD_TIME_FIELDS, type Actor, type PatientCommand } from '@vigil/domain';
import { CurrentActor } from '../identity/current-actor.decorator';
import { commandContext, HttpHeaders } from '../http/request-context';
import { toUtc } from '../http/timestamp';
import { executeAndReply, recorded } from './commands/execute-and-reply';
import { CorrectAdverseEventDto, CorrectDoseDto, CorrectLabResultDto, ReasonDto } from './dto/corrections.dto';
import { RecordedResponse } from './dto/patient.response';
import { EventIdPipe } from './event-id.pipe';
import { PatientIdPipe } from './patient-id.pipe';

type Kind = 'lab-results' | 'doses' | 'adverse-events';

const COMMANDS: Record<Kind, { correct: 'CorrectLabResult' | 'CorrectDose' | 'CorrectAdverseEvent'; void: 'VoidLabResult' | 'VoidDose' | 'VoidAdverseEvent' }> =
  {
    'lab-results': { correct: 'CorrectLabResult', void: 'VoidLabResult' },
    doses: { correct: 'CorrectDose', void: 'VoidDose' },
    'adverse-events': { correct: 'CorrectAdverseEvent', void: 'VoidAdverseEvent' },
  };

/** The changed fields of a correction body, with timestamps in UTC; the reason travels apart. */
function changesOf(body: object): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (field === 'reason' || value === undefined) continue;
    changes[field] = RECORD_TIME_FIELDS.includes(field) && typeof value === 'string' ? toUtc(value) : value;
  }
  return changes;
}

/**
 * Corrections and voids: nothing recorded is ever changed; a correction is a new event naming the
 * original, its old and new values and the reason (docs/safety-rules.md §6).
 */
@ApiTags('corrections')
@Controller('patients/:patientId')
export class CorrectionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('lab-results/:eventId/corrections')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The LabResultCorrected event recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient or lab result' })
  @ApiUnprocessableEntityResponse({ description: 'The lab result was voided' })
  correctLabResult(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: CorrectLabResultDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.correct('lab-results', patientId, eventId, body, headers, actor, reply);
  }

  @Post('doses/:eventId/corrections')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The DoseCorrected event recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient or dose' })
  @ApiUnprocessableEntityResponse({ description: 'The dose was voided' })
  correctDose(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: CorrectDoseDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.correct('doses', patientId, eventId, body, headers, actor, reply);
  }

  @Post('adverse-events/:eventId/corrections')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The AdverseEventCorrected event recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient or adverse event' })
  @ApiUnprocessableEntityResponse({ description: 'The adverse event was voided' })
  correctAdverseEvent(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: CorrectAdverseEventDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.correct('adverse-events', patientId, eventId, body, headers, actor, reply);
  }

  @Post('lab-results/:eventId/void')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The LabResultEnteredInError event recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient or lab result' })
  @ApiUnprocessableEntityResponse({ description: 'The lab result was already voided' })
  voidLabResult(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: ReasonDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.void('lab-results', patientId, eventId, body, headers, actor, reply);
  }

  @Post('doses/:eventId/void')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The DoseEnteredInError event recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient or dose' })
  @ApiUnprocessableEntityResponse({ description: 'The dose was already voided' })
  voidDose(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: ReasonDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.void('doses', patientId, eventId, body, headers, actor, reply);
  }

  @Post('adverse-events/:eventId/void')
  @HttpCode(201)
  @ApiCreatedResponse({ type: RecordedResponse, description: 'The AdverseEventEnteredInError event recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient or adverse event' })
  @ApiUnprocessableEntityResponse({ description: 'The adverse event was already voided' })
  voidAdverseEvent(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Param('eventId', EventIdPipe) eventId: string,
    @Body() body: ReasonDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.void('adverse-events', patientId, eventId, body, headers, actor, reply);
  }

  private correct(kind: Kind, patientId: string, eventId: string, body: { reason: string }, headers: HttpHeaders, actor: Actor, reply: FastifyReply) {
    const command = { type: COMMANDS[kind].correct, eventId, changes: changesOf(body), reason: body.reason } as PatientCommand;
    return this.run(patientId, command, body.reason, headers, actor, reply);
  }

  private void(kind: Kind, patientId: string, eventId: string, body: ReasonDto, headers: HttpHeaders, actor: Actor, reply: FastifyReply) {
    const command = { type: COMMANDS[kind].void, eventId, reason: body.reason } as PatientCommand;
    return this.run(patientId, command, body.reason, headers, actor, reply);
  }

  private async run(patientId: string, command: PatientCommand, reason: string, headers: HttpHeaders, actor: Actor, reply: FastifyReply) {
    return recorded(await executeAndReply(this.commands, patientId, command, commandContext(actor, headers, reason), reply));
  }
}
