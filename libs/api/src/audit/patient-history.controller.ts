import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AccessLog,
  exportFormatFromQuery,
  HistoryExport,
  PatientHistory,
  PatientStateSummary,
  RECORD_PAGE_DEFAULT,
  RECORD_PAGE_MAX,
  stateQueryFromQuery,
} from '@vigil/audit';
import type { Actor } from '@vigil/domain';
import { CurrentActor } from '../identity/current-actor.decorator';
import { PatientIdPipe } from '../patients/patient-id.pipe';
import { AccessLogResponse, PatientHistoryResponse, PatientSnapshotResponse, PatientStateSummaryResponse } from './dto/audit.response';
import { RecordsPatientAccess } from './patient-access.interceptor';
import { ExportPatientHistory, FullPatientState, GetPatientAccessLog, GetPatientHistory, GetPatientStateAt } from './queries/audit.queries';

/** A patient's audit trail, its inspector's copy, its replay at a point in time, and who viewed it. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('patients/:patientId')
export class PatientHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get('history')
  @RecordsPatientAccess('history')
  @ApiOkResponse({ type: PatientHistoryResponse, description: 'Every event of the patient, in order, in words, with who, when (UTC), why and what changed' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  history(@Param('patientId', PatientIdPipe) patientId: string): Promise<PatientHistory> {
    return this.queries.execute(new GetPatientHistory(patientId));
  }

  @Get('history/export')
  @RecordsPatientAccess('history-export')
  @ApiQuery({ name: 'format', enum: ['csv', 'json'], required: false })
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({
    schema: { type: 'string' },
    description: 'The audit trail as a file; X-Vigil-SHA256 is the hex SHA-256 of the exact body',
    headers: { 'X-Vigil-SHA256': { description: 'Hex SHA-256 of the body', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: 'An unknown format' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async export(
    @Param('patientId', PatientIdPipe) patientId: string,
    @Query() query: Record<string, unknown>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const file = await this.queries.execute<ExportPatientHistory, HistoryExport>(new ExportPatientHistory(patientId, exportFormatFromQuery(query), actor));
    reply
      .header('Content-Type', file.contentType)
      .header('Content-Disposition', `attachment; filename="${file.filename}"`)
      .header('X-Vigil-SHA256', file.sha256)
      .header('Cache-Control', 'no-store');
    return file.body;
  }

  @Get('state')
  @RecordsPatientAccess('state')
  @ApiQuery({
    name: 'asOf',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Clinically as at this time: events whose clinical time is at or before it (ISO-8601 with zone)',
  })
  @ApiQuery({
    name: 'asKnownAt',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'As Vigil knew it at this time: events recorded at or before it',
  })
  @ApiQuery({ name: 'atVersion', required: false, schema: { type: 'integer', minimum: 1 }, description: "The patient's stream folded up to this version" })
  @ApiQuery({
    name: 'view',
    required: false,
    schema: { type: 'string', enum: ['summary', 'full'], default: 'summary' },
    description: 'summary: per test the latest value, grade, flags and baseline; doses; adverse events; open alerts. full: every record, for exports',
  })
  @ApiQuery({
    name: 'include',
    required: false,
    schema: { type: 'string', enum: ['records'] },
    description: 'With the summary: a page of the records behind it',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: RECORD_PAGE_MAX, default: RECORD_PAGE_DEFAULT },
    description: 'Records per page (with include=records)',
  })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: "The previous page's nextCursor (with include=records)" })
  @ApiExtraModels(PatientStateSummaryResponse, PatientSnapshotResponse)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(PatientStateSummaryResponse) }, { $ref: getSchemaPath(PatientSnapshotResponse) }] },
    description: 'The patient at that point in time: a summary (view=summary, the default), or every record (view=full)',
  })
  @ApiBadRequestResponse({ description: 'A malformed time, view, limit or cursor, or a version beyond the stream, naming the parameter' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  state(@Param('patientId', PatientIdPipe) patientId: string, @Query() query: Record<string, unknown>): Promise<PatientStateSummary | FullPatientState> {
    return this.queries.execute(new GetPatientStateAt(patientId, stateQueryFromQuery(query)));
  }

  @Get('access-log')
  @ApiOkResponse({ type: AccessLogResponse, description: "Who viewed the patient's history, state or export, and when (UTC)" })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  accessLog(@Param('patientId', PatientIdPipe) patientId: string): Promise<AccessLog> {
    return this.queries.execute(new GetPatientAccessLog(patientId));
  }
}
