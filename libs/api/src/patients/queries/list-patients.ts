import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ReadModelDatabase, SAFETY_PROCESS } from '@vigil/projections';
import type { SiteScope } from '../../auth/site-scope';

export class ListPatients {
  constructor(
    readonly scope: SiteScope,
    readonly siteId?: string,
    readonly disease?: string,
  ) {}
}

export interface PatientListItem {
  patientId: string;
  siteId: string;
  disease: string;
  enrolledAt: string;
}

/** The enrolled patients the user may see (investigators: their own sites), from the safety read model. */
@QueryHandler(ListPatients)
export class ListPatientsHandler implements IQueryHandler<ListPatients, { items: PatientListItem[] }> {
  constructor(private readonly db: ReadModelDatabase) {}

  async execute({ scope, siteId, disease }: ListPatients): Promise<{ items: PatientListItem[] }> {
    const table = this.db.liveTable(SAFETY_PROCESS, 'patients');
    if (!table) return { items: [] };
    const rows = this.db
      .statement(
        `SELECT patient_id AS patientId, site_id AS siteId,
                json_extract(watch, '$.state.disease') AS disease, json_extract(watch, '$.state.enrolledAt') AS enrolledAt
           FROM ${table}
          WHERE json_extract(watch, '$.state.enrolled') = 1 AND (? IS NULL OR site_id = ?)
          ORDER BY patient_id`,
      )
      .all(siteId ?? null, siteId ?? null) as PatientListItem[];
    return { items: rows.filter((row) => (scope === 'all' || scope.includes(row.siteId)) && (!disease || row.disease === disease)) };
  }
}
