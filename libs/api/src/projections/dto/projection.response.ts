import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiDateTime, ApiDateTimeOptional } from '../../http/openapi';

/** OpenAPI description of a rebuild job (RebuildProgress of @vigil/projections). */
export class RebuildJobResponse {
  @ApiProperty() jobId: string;
  @ApiPropertyOptional({ example: 'alert_list', description: 'The read model rebuilt (POST /projections/:name/rebuild)' }) projection?: string;
  @ApiProperty({ type: [String] }) projections: string[];
  @ApiProperty({ description: 'The new builds: {name, version, build, position, live}' }) builds: object[];
  @ApiProperty({
    enum: ['requested', 'running', 'done', 'stopped', 'failed'],
    description: '`requested`: handed to the node that runs this read model (several nodes); it starts there within a heartbeat',
  })
  state: string;
  @ApiProperty({ description: 'Events done (global position the new build covers)' }) done: number;
  @ApiProperty({ description: 'Events in all (head of the log, growing while events arrive)' }) total: number;
  @ApiProperty({ description: 'Above 0 when a rebuild left half-done was resumed from its checkpoint' }) resumedFrom: number;
  @ApiProperty() eventsRead: number;
  @ApiProperty() eventsPerSecond: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds left at the current pace' }) etaSeconds: number | null;
  @ApiDateTime() startedAt: string;
  @ApiDateTimeOptional() finishedAt?: string;
  @ApiPropertyOptional() error?: string;
}

/** OpenAPI description of a read model (ProjectionOverview of @vigil/projections). */
export class ProjectionResponse {
  @ApiProperty({ example: 'alert_list' }) name: string;
  @ApiProperty({ description: "The projection's code version" }) version: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The build answering queries' }) liveBuild: number | null;
  @ApiProperty({ enum: ['stopped', 'starting', 'catching-up', 'following', 'failed', 'retired'] }) state: string;
  @ApiProperty({ description: 'Global position the live build covers' }) position: number;
  @ApiProperty({ description: 'Global position of the last event in the store' }) head: number;
  @ApiProperty() lag: number;
  @ApiProperty({ description: 'Every build in the registry: {name, build, version, position, status}' }) builds: object[];
  @ApiProperty({ type: RebuildJobResponse, nullable: true, description: 'The rebuild running now, else the last one' }) rebuild: RebuildJobResponse | null;
  @ApiPropertyOptional() error?: string;
}

export class ProjectionListResponse {
  @ApiProperty({ type: [ProjectionResponse] }) items: ProjectionResponse[];
}
