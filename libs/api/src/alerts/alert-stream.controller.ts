import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { ALERT_LIST, AlertList, ReadModelDatabase, ReadModelProgress, readModelSource } from '@vigil/projections';
import { CurrentSiteScope, SiteScope } from '../auth/site-scope';
import { badRequest } from '../http/validation';
import { AlertEventStream } from './alert-event-stream';
import { AlertStreamQueryDto } from './dto/alert-stream.query.dto';

/**
 * `GET /alerts/stream`: alert events as server-sent events, for the console's inbox. The same filters
 * and site scope as `GET /alerts`; a heartbeat comment every 15 s keeps proxies from cutting it.
 * Fed by the event store's subscription (not the alert list's changes): its positions are the SSE ids,
 * so a client that reconnects with Last-Event-ID misses nothing, and it works where the projections run
 * in another process.
 */
@ApiTags('alerts')
@Controller('alerts')
export class AlertStreamController {
  private readonly progress: ReadModelProgress;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly list: AlertList,
    db: ReadModelDatabase,
  ) {
    this.progress = new ReadModelProgress(store, [readModelSource(db, ALERT_LIST)]);
  }

  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id` of the last event received: the stream resumes after it (at least once: an event may come again)',
  })
  @ApiOkResponse({
    // Each text short: the generated openapi.json and schema.d.ts hold one on a line.
    schema: {
      type: 'string',
      description: '{eventId, type, alertId, patientId, siteId, ruleId, position, alert?}; `alert`: the alert after it (GET /alerts/{alertId})',
    },
    description: 'text/event-stream: per event `id: <global position>` and `data:` (its schema); a `: heartbeat` comment every 15 s',
  })
  async stream(
    @Query() query: AlertStreamQueryDto,
    @CurrentSiteScope() scope: SiteScope,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const after = lastEventId === undefined ? await this.store.headPosition() : positionOf(lastEventId);
    const { status, patientId, siteId, severity, ruleId } = query;
    reply.hijack();
    new AlertEventStream(this.store, this.list, this.progress, reply.raw, { filter: { status, patientId, siteId, severity, ruleId }, scope, after }).start();
  }
}

function positionOf(lastEventId: string): number {
  if (!/^\d{1,15}$/.test(lastEventId.trim())) throw badRequest([{ field: 'Last-Event-ID', reason: 'must be the id of an event this stream sent' }]);
  return Number(lastEventId.trim());
}
