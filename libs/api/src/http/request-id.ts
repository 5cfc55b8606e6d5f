import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** An id a client or proxy may hand in (`X-Request-Id`): printable, no spaces, at most 128 characters. */
const ACCEPTABLE_ID = /^[\w.:@/+=-]{1,128}$/;

/** The request's id (Fastify's `genReqId`): the caller's `X-Request-Id` when acceptable (a load balancer's, kept end to end), else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}

/**
 * Echoes the request id in `X-Request-Id`. A request without a usable `X-Correlation-Id` takes its request
 * id as correlation id, so the events it records (metadata.correlationId) and its log lines share one id.
 */
export function echoRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    const correlation = request.headers['x-correlation-id'];
    if (typeof correlation !== 'string' || correlation === '' || correlation.length > 128) request.raw.headers['x-correlation-id'] = request.id;
    done();
  });
}
