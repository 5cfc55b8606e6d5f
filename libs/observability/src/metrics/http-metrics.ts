import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VigilMetrics } from './vigil-metrics';

/**
 * Times every answer into `http_request_duration_seconds`, labelled by the route's template
 * (`/patients/:patientId`, so the label set stays small), not the URL; a URL no route matches is `unmatched`.
 */
export function measureHttp(fastify: FastifyInstance, metrics: VigilMetrics): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
