import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { VigilMetrics } from './vigil-metrics';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: VigilMetrics) {}

  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({
    content: { 'text/plain': { schema: { type: 'string' } } },
    description: "Prometheus text exposition of this process's metrics (the README's operator section lists every family). No token needed.",
  })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.metrics.exposition();
    reply.header('Content-Type', contentType);
    return body;
  }
}
