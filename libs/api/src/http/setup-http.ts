import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpConfig, httpConfigFromEnv } from './http-config';
import { jsonDepthExceeds } from './json-depth';
import { securityHeaders } from './security-headers';
import { TokenSubjects } from './token-subjects';
import { echoRequestIds, requestIdOf } from './request-id';
import { ErrorResponse, withAccessControl, withErrorAnswers } from './openapi';
import { badRequest, vigilValidationPipe } from './validation';

/** The Fastify adapter every Vigil HTTP application runs on: body limit and timeouts from VIGIL_HTTP_*. */
export function vigilFastifyAdapter(config: HttpConfig = httpConfigFromEnv()): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: Math.min(72_000, config.idleTimeoutMs),
    // X-Request-Id kept from the caller or made here; echoed back, and logged with each request (request-id.ts).
    genReqId: requestIdOf,
  });
}

/** Vigil's OpenAPI document, as served at /docs/json (conventions: docs/openapi.md). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Vigil')
      .setDescription('Event-sourced safety monitoring for clinical trials (TRANSREG: low-dose IL-2)')
      .setVersion('0.1.0')
      .setLicense('UNLICENSED', '')
      .addServer('/', 'This Vigil')
      .addBearerAuth()
      .build(),
    { extraModels: [ErrorResponse] },
  );
  return withErrorAnswers(withAccessControl(document));
}

/**
 * What every Vigil HTTP application shares: validation of every body, and the OpenAPI document at /docs;
 * and, before any of it, input that cannot hurt: a JSON body nested deeper than VIGIL_HTTP_MAX_DEPTH is
 * refused with 400 (413 beyond the body limit, from the adapter), rate limits per user and per address
 * answer 429 with Retry-After, and security headers (helmet) go on every answer.
 */
export async function setupHttp(app: INestApplication, config: HttpConfig = httpConfigFromEnv()): Promise<void> {
  const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance() as unknown as FastifyInstance;
  echoRequestIds(fastify);
  refuseDeepJson(app as NestFastifyApplication, fastify, config);
  await registerRateLimits(app as NestFastifyApplication, config);
  securityHeaders(fastify);
  app.useGlobalPipes(vigilValidationPipe());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs/json' });
}

/** Fastify's own JSON parser (prototype poisoning refused), behind a depth check on the raw text. */
function refuseDeepJson(app: NestFastifyApplication, fastify: FastifyInstance, config: HttpConfig): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    const text = (body as Buffer).toString('utf8');
    if (jsonDepthExceeds(text, config.maxDepth)) {
      const refused = badRequest([{ field: 'body', reason: `nests arrays and objects deeper than ${config.maxDepth} levels` }]);
      return done(Object.assign(new Error(refused.message), { statusCode: 400, body: refused.getResponse() }), undefined);
    }
    void parseJson(request as never, text, done);
  });
}

async function registerRateLimits(app: NestFastifyApplication, config: HttpConfig): Promise<void> {
  const tooMany = (who: string) => (_request: FastifyRequest, context: { max: number; after: string; ttl: number }) => ({
    statusCode: 429,
    error: 'Too Many Requests',
    message: `rate limit: at most ${context.max} requests per ${config.rateLimitWindowMs / 1000} s for this ${who}; retry in ${context.after}`,
  });
  // Probes and metric scrapes are never limited.
  const isHealth = (request: FastifyRequest) => request.url === '/health' || request.url.startsWith('/health/') || request.url === '/metrics';
  if (config.rateLimitPerAddress > 0) {
    await app.register(
      rateLimit as never,
      {
        max: config.rateLimitPerAddress,
        timeWindow: config.rateLimitWindowMs,
        allowList: isHealth,
        errorResponseBuilder: tooMany('address'),
      } as never,
    );
  }
  if (config.rateLimitPerUser > 0) {
    const subjects = new TokenSubjects();
    await app.register(
      rateLimit as never,
      {
        max: config.rateLimitPerUser,
        timeWindow: config.rateLimitWindowMs,
        // Requests without a token are counted by address only.
        allowList: (request: FastifyRequest) => isHealth(request) || subjects.of(request) === null,
        keyGenerator: (request: FastifyRequest) => `user:${subjects.of(request)}`,
        errorResponseBuilder: tooMany('user'),
      } as never,
    );
  }
}
