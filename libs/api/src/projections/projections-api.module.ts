import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GetProjectionHandler, ListProjectionsHandler } from './projection.queries';
import { ProjectionsController } from './projections.controller';
import { RebuildProjectionHandler } from './rebuild-projection.command';

/**
 * Read models over HTTP, for data managers: their state and progress, and rebuilds beside the live
 * build. Needs the Projector of this process (ProjectorModule, global): the embedded application.
 * Where the projector runs apart, rebuild on its host with `vigil projections rebuild`.
 */
@Module({
  imports: [CqrsModule],
  controllers: [ProjectionsController],
  providers: [ListProjectionsHandler, GetProjectionHandler, RebuildProjectionHandler],
})
export class ProjectionsApiModule {}
