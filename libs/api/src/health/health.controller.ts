import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore } from '@vigil/event-store';

class EventStoreHeadResponse {
  @ApiProperty({ description: 'Global position of the last event in the store' }) headPosition: number;
}

export class HealthResponse {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ type: EventStoreHeadResponse }) eventStore: EventStoreHeadResponse;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOkResponse({ type: HealthResponse, description: 'Vigil is up and reads its event store' })
  async health(): Promise<HealthResponse> {
    return { status: 'ok', eventStore: { headPosition: await this.store.headPosition() } };
  }
}
