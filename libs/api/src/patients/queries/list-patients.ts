import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PatientOverviews, type PatientOverview } from '@vigil/projections';
import type { SiteScope } from '../../auth/site-scope';

export class ListPatients {
  constructor(
    readonly scope: SiteScope,
    readonly siteId?: string,
    readonly disease?: string,
  ) {}
}

export type PatientListItem = PatientOverview;

/** The enrolled patients the user may see (investigators: their own sites), from the patients' overview read model. */
@QueryHandler(ListPatients)
export class ListPatientsHandler implements IQueryHandler<ListPatients, { items: PatientListItem[] }> {
  constructor(private readonly overviews: PatientOverviews) {}

  async execute({ scope, siteId, disease }: ListPatients): Promise<{ items: PatientListItem[] }> {
    return { items: await this.overviews.list({ siteId, disease, ...(scope === 'all' ? {} : { sites: scope }) }) };
  }
}
