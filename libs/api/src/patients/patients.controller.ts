import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { treatmentOf, type Actor, type PatientCommand } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { CurrentSiteScope, SiteScope } from '../auth/site-scope';
import { CurrentActor } from '../identity/current-actor.decorator';
import { FreshReadModels } from '../http/fresh-read-models.interceptor';
import { etagFor } from '../http/if-match';
import { commandContext, HttpHeaders } from '../http/request-context';
import { toUtc } from '../http/timestamp';
import { PatientCommandResult } from './commands/execute-patient-command';
import { executeAndReply, recorded } from './commands/execute-and-reply';
import { EnrolPatientDto } from './dto/enrol-patient.dto';
import { RecordDoseDto } from './dto/record-dose.dto';
import { labResultCommand, RecordLabResultDto } from './dto/record-lab-result.dto';
import { ReportAdverseEventDto } from './dto/report-adverse-event.dto';
import { PatientIdPipe } from './patient-id.pipe';
import { ListPatientsQueryDto } from './dto/list-patients.query.dto';
import { ListPatients, PatientListItem } from './queries/list-patients';
import { EnrolledResponse, PatientListResponse, PatientStateResponse, RecordedResponse, StoredEventResponse } from './dto/patient.response';
import { GetPatient, GetPatientEvents, PatientView } from './queries/patient.queries';

const writeHeaders = [
  { name: 'Idempotency-Key', required: false, description: 'Same key again returns the first result and records nothing new' },
  { name: 'If-Match', required: false, description: 'ETag (stream version) the client last saw; 409 if the patient changed since' },
];

@ApiTags('patients')
@Controller('patients')
export class PatientsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiHeader(writeHeaders[0])
  @ApiCreatedResponse({ type: EnrolledResponse, description: 'Enrolled (the same Idempotency-Key again answers this and records nothing)' })
  @ApiConflictResponse({ description: 'The patient is already enrolled' })
  async enrol(@Body() body: EnrolPatientDto, @Headers() headers: HttpHeaders, @CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply) {
    const command: PatientCommand = {
      type: 'EnrolPatient',
      patientId: body.patientId,
      siteId: body.siteId,
      disease: body.disease,
      sex: body.sex,
      birthYear: body.birthYear,
      weightKg: body.weightKg,
      enrolledAt: toUtc(body.enrolledAt),
    } as PatientCommand;
    const result = await this.run(body.patientId, command, actor, headers, reply);
    return { patientId: result.patientId, version: result.version };
  }

  @Post(':patientId/doses')
  @HttpCode(201)
  @ApiHeader(writeHeaders[0])
  @ApiHeader(writeHeaders[1])
  @ApiCreatedResponse({ type: RecordedResponse, description: 'Recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async recordDose(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Body() body: RecordDoseDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command = { type: 'RecordDose', ...body, administeredAt: toUtc(body.administeredAt) } as PatientCommand;
    return recorded(await this.run(patientId, command, actor, headers, reply));
  }

  @Post(':patientId/lab-results')
  @HttpCode(201)
  @ApiHeader(writeHeaders[0])
  @ApiHeader(writeHeaders[1])
  @ApiCreatedResponse({ type: RecordedResponse, description: 'Recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async recordLabResult(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Body() body: RecordLabResultDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return recorded(await this.run(patientId, labResultCommand(body), actor, headers, reply));
  }

  @Post(':patientId/adverse-events')
  @HttpCode(201)
  @ApiHeader(writeHeaders[0])
  @ApiHeader(writeHeaders[1])
  @ApiCreatedResponse({ type: RecordedResponse, description: 'Recorded' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async reportAdverseEvent(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Body() body: ReportAdverseEventDto,
    @Headers() headers: HttpHeaders,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command = {
      type: 'ReportAdverseEvent',
      ...body,
      onsetAt: toUtc(body.onsetAt),
      ...(body.awareAt ? { awareAt: toUtc(body.awareAt) } : {}),
    } as PatientCommand;
    return recorded(await this.run(patientId, command, actor, headers, reply));
  }

  @Get()
  @FreshReadModels()
  @ApiOkResponse({ type: PatientListResponse, description: 'The patients of the sites the user may see' })
  list(@Query() query: ListPatientsQueryDto, @CurrentSiteScope() scope: SiteScope) {
    return this.queries.execute<ListPatients, { items: PatientListItem[] }>(new ListPatients(scope, query.siteId, query.disease));
  }

  @Get(':patientId')
  @ApiOkResponse({ type: PatientStateResponse, description: "The patient's current state; the ETag header is its stream version" })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async get(@Param('patientId', PatientIdPipe) patientId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.queries.execute<GetPatient, PatientView>(new GetPatient(patientId));
    reply.header('ETag', etagFor(view.version));
    return { ...view.state, patientId, version: view.version, treatmentStatus: treatmentOf(view.state, Date.now()) };
  }

  @Get(':patientId/events')
  @ApiOkResponse({ type: [StoredEventResponse], description: "The patient's raw event stream, each event in its envelope" })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async events(@Param('patientId', PatientIdPipe) patientId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const events = await this.queries.execute<GetPatientEvents, StoredEvent[]>(new GetPatientEvents(patientId));
    reply.header('ETag', etagFor(events[events.length - 1].streamVersion));
    return events;
  }

  private run(patientId: string, command: PatientCommand, actor: Actor, headers: HttpHeaders, reply: FastifyReply): Promise<PatientCommandResult> {
    return executeAndReply(this.commands, patientId, command, commandContext(actor, headers), reply);
  }
}
