import { Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ProjectionOverview } from '@vigil/projections';
import { ProjectionListResponse, ProjectionResponse, RebuildJobResponse } from './dto/projection.response';
import { ProjectionErrorsFilter } from './projection-errors.filter';
import { GetProjection, ListProjections } from './projection.queries';
import { RebuildJob, RebuildProjectionCommand } from './rebuild-projection.command';

@ApiTags('projections')
@Controller('projections')
@UseFilters(ProjectionErrorsFilter)
export class ProjectionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOkResponse({ type: ProjectionListResponse, description: 'Every read model: version, live build, state, position, head, lag' })
  list(): Promise<{ items: ProjectionOverview[] }> {
    return this.queries.execute(new ListProjections());
  }

  @Get(':name')
  @ApiOkResponse({ type: ProjectionResponse, description: 'One read model, with its running (else last) rebuild: done, total, events/s, ETA, state' })
  @ApiNotFoundResponse({ description: 'No read model of that name (kebab-case accepted: alert-list)' })
  get(@Param('name') name: string): Promise<ProjectionOverview> {
    return this.queries.execute(new GetProjection(name));
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: RebuildJobResponse,
    description: 'Rebuild started beside the live build (or a half-done one resumed); follow it at GET /projections/:name',
  })
  @ApiNotFoundResponse({ description: 'No read model of that name' })
  @ApiConflictResponse({ description: 'A rebuild of it is already running: the body names the running job' })
  rebuild(@Param('name') name: string): Promise<RebuildJob> {
    return this.commands.execute(new RebuildProjectionCommand(name));
  }
}
