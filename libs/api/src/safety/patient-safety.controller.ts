import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { PatientSafetySummary } from './patient-safety.query';
import { FreshReadModels } from '../http/fresh-read-models.interceptor';
import { PatientIdPipe } from '../patients/patient-id.pipe';
import { PatientSafetyResponse } from './patient-safety.response';
import { GetPatientSafety } from './patient-safety.query';

@ApiTags('safety')
@Controller('patients')
export class PatientSafetyController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':patientId/safety')
  @FreshReadModels()
  @ApiOkResponse({
    type: PatientSafetyResponse,
    description: "The patient's safety summary: latest labs graded and flagged, open alerts, dosing, adverse events",
  })
  @ApiNotFoundResponse({ description: 'Unknown patient' })
  get(@Param('patientId', PatientIdPipe) patientId: string): Promise<PatientSafetySummary> {
    return this.queries.execute(new GetPatientSafety(patientId));
  }
}
