import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore } from '@vigil/event-store';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOkResponse({ description: '{status, eventStore: {headPosition}}' })
  async health() {
    return { status: 'ok', eventStore: { headPosition: await this.store.headPosition() } };
  }
}
