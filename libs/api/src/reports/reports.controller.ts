import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SDTM_DOMAINS, SDTM_FORMATS, safetyReportHtml, type SafetyReport } from '@vigil/reports';
import { TRANSREG } from '@vigil/domain';
import type { Bundle } from 'fhir/r4';
import { RecordsPatientAccess } from '../audit/patient-access.interceptor';
import { PatientIdPipe } from '../patients/patient-id.pipe';
import { FhirBundleResponse, SafetyReportResponse } from './dto/safety-report.response';
import { safetyReportQuery, sdtmQuery } from './report-queries';
import { TrialReports } from './trial-reports';

const POSITION_HEADER = { 'X-Vigil-Position': { description: 'Global position of the last event included', schema: { type: 'integer' } } };
const AS_OF = {
  name: 'asOf',
  required: false,
  schema: { type: 'string', format: 'date-time' },
  description: 'As Vigil knew the trial then: events recorded after it are left out (default: now; never in the future)',
} as const;

/** The trial as a whole: the DSMB safety report, CDISC SDTM datasets, a patient's FHIR R4 record (docs/interchange.md). */
@ApiTags('reports')
@ApiBearerAuth()
@ApiExtraModels(SafetyReportResponse)
@Controller()
export class ReportsController {
  constructor(private readonly reports: TrialReports) {}

  @Get('reports/safety')
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'disease', required: false, enum: TRANSREG.diseases.map((d) => d.code) })
  @ApiQuery({ name: 'siteId', required: false, enum: TRANSREG.sites.map((s) => s.id) })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'html'], description: 'html: a printable page (also with Accept: text/html)' })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({
    description: 'Exposure, adverse events, lab shifts, alerts and protocol thresholds across the trial, as of asOf',
    headers: POSITION_HEADER,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SafetyReportResponse) } },
      'text/html': { schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ description: 'A malformed or future asOf, an unknown disease, site, format or parameter, naming it' })
  async safety(
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SafetyReport | string> {
    const parsed = safetyReportQuery(query, new Date());
    const report = await this.reports.safetyReport(parsed);
    reply.header('X-Vigil-Position', String(report.position)).header('Cache-Control', 'no-store');
    const html = parsed.format === 'html' || (parsed.format === undefined && prefersHtml(accept));
    if (!html) return report;
    reply.header('Content-Type', 'text/html; charset=utf-8');
    return safetyReportHtml(report);
  }

  @Get('exports/sdtm/:domain')
  @ApiParam({ name: 'domain', enum: SDTM_DOMAINS, description: 'The SDTM domain code, in any case (`lb` is `LB`)' })
  @ApiQuery({ name: 'format', required: false, enum: SDTM_FORMATS, description: 'dataset-json (CDISC Dataset-JSON 1.1, the default) or csv' })
  @ApiQuery(AS_OF)
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    schema: { type: 'string' },
    description: 'The SDTM dataset as a file: the same position gives the same bytes (its creation time is that position’s recording time)',
    headers: { ...POSITION_HEADER, 'X-Vigil-SHA256': { description: 'Hex SHA-256 of the body', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: 'An unknown domain or format, a malformed or future asOf, naming it' })
  async sdtm(@Param('domain') domain: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const parsed = sdtmQuery(domain, query, new Date());
    const file = await this.reports.sdtm(parsed.domain, parsed.format, parsed.asOf);
    reply
      .header('Content-Type', file.contentType)
      .header('Content-Disposition', `attachment; filename="${file.filename}"`)
      .header('X-Vigil-SHA256', file.sha256)
      .header('X-Vigil-Position', String(file.position))
      .header('Cache-Control', 'no-store');
    return file.body;
  }

  @Get('fhir/Patient/:patientId/$everything')
  @RecordsPatientAccess('record')
  @ApiOkResponse({
    type: FhirBundleResponse,
    description: 'A FHIR R4 Bundle (collection): Patient, Observations, MedicationAdministrations, AdverseEvents',
    headers: POSITION_HEADER,
  })
  @ApiProduces('application/fhir+json')
  @ApiBadRequestResponse({ description: 'A malformed patient id' })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  async everything(@Param('patientId', PatientIdPipe) patientId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Bundle> {
    const { bundle, position } = await this.reports.everything(patientId);
    reply.header('Content-Type', 'application/fhir+json; charset=utf-8').header('X-Vigil-Position', String(position)).header('Cache-Control', 'no-store');
    return bundle;
  }
}

/** Accept: text/html before (or without) application/json: a browser asking for the page. */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}
