import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PatientSafetySummaries, PatientSafetySummary } from '@vigil/projections';

export class GetPatientSafety {
  constructor(readonly patientId: string) {}
}

@QueryHandler(GetPatientSafety)
export class GetPatientSafetyHandler implements IQueryHandler<GetPatientSafety, PatientSafetySummary> {
  constructor(private readonly summaries: PatientSafetySummaries) {}

  async execute({ patientId }: GetPatientSafety): Promise<PatientSafetySummary> {
    return this.summaries.get(patientId);
  }
}
