import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Readiness } from './readiness';

const CHECKS = {
  type: 'object' as const,
  additionalProperties: { type: 'object' as const, properties: { status: { type: 'string' as const, enum: ['up', 'down'] } }, additionalProperties: true },
};

/** Terminus's answer: `ok` or `error`, and each check with its status and details. */
export class ProbeResponse {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' }) status: string;
  @ApiPropertyOptional({ ...CHECKS, description: 'The checks that passed' }) info?: Record<string, unknown>;
  @ApiPropertyOptional({ ...CHECKS, description: 'The checks that failed, with why' }) error?: Record<string, unknown>;
  @ApiProperty({ ...CHECKS, description: 'Every check' }) details: Record<string, unknown>;
}

/**
 * Probes for an orchestrator (NestJS Terminus), without a token: live while the process answers at all;
 * ready while the store answers and the read models are close to its head (readiness.ts). `GET /health`
 * (libs/api) stays as it was.
 */
@ApiTags('health')
@Controller('health')
export class HealthProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  @ApiOkResponse({ type: ProbeResponse, description: 'The process answers (restart it when it does not)' })
  async live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.answer(reply, () => this.health.check([]));
  }

  @Get('ready')
  @ApiOkResponse({ type: ProbeResponse, description: 'The event store answers and the read models are within VIGIL_READY_MAX_LAG events of its head' })
  @ApiServiceUnavailableResponse({ type: ProbeResponse, description: 'Not ready: send no traffic here (the failing check says why)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.answer(reply, () => this.health.check([() => this.readiness.eventStore(), () => this.readiness.readModels()]));
  }

  /** Terminus throws its 503 answer; it is sent as Terminus shaped it, not rewritten as an error body. */
  private async answer(reply: FastifyReply, check: () => Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
