import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ProjectionOverview, Projector } from '@vigil/projections';

export class ListProjections {}

export class GetProjection {
  constructor(readonly name: string) {}
}

@QueryHandler(ListProjections)
export class ListProjectionsHandler implements IQueryHandler<ListProjections, { items: ProjectionOverview[] }> {
  constructor(private readonly projector: Projector) {}

  async execute(): Promise<{ items: ProjectionOverview[] }> {
    return { items: await this.projector.overview() };
  }
}

@QueryHandler(GetProjection)
export class GetProjectionHandler implements IQueryHandler<GetProjection, ProjectionOverview> {
  constructor(private readonly projector: Projector) {}

  execute({ name }: GetProjection): Promise<ProjectionOverview> {
    return this.projector.describe(name);
  }
}
