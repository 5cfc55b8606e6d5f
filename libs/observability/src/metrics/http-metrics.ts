import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VigilMetrics } from './vigil-metrics';

/**
 * Times every answer into `http_request_duration_seconds`, labelled by the route's template
 * (`/patients/:patientId`, so the label set stays small), not the URL; a URL no route matches is `unmatched`;
 * and by the answer's status, under two names (`status`, `status_code`).
 */
export function measureHttp(fastify: FastifyInstance, metrics: VigilMetrics): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const status = String(reply.statusCode);
    // `status` as issue 13 names it; `status_code`, the same value, for the dashboards written before it.
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status, status_code: status },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
