import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Security headers for an API that also serves a browser console (/console/, /) and its docs (/docs):
 * scripts, styles, images and connections from Vigil itself only (inline styles allowed for the
 * OpenAPI page), no framing, no plugins; the API's JSON answers get the same headers.
 */
export const helmetOptions: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * helmet's headers on every answer. (@fastify/helmet rebuilds its middleware, CSP parsing included, on every request:
 * a few percent of the CPU of a lab-result POST under load, bench/README.md.) None of them depends on the request, so
 * helmet runs once, at start, on a stand-in answer, and each request gets the same calls, in the same order, without
 * helmet's chain of a dozen middlewares.
 */
export function securityHeaders(fastify: FastifyInstance): void {
  const calls = helmetCalls(helmetOptions);
  fastify.addHook('onRequest', (_request, reply, done) => {
    const answer = reply.raw;
    for (const call of calls) {
      if (call.value === undefined) answer.removeHeader(call.name);
      else answer.setHeader(call.name, call.value);
    }
    done();
  });
}

/** What helmet's middleware does to an answer: the headers it sets (with their values) and removes, in order. */
export function helmetCalls(options: Parameters<typeof helmet>[0]): { name: string; value?: string }[] {
  const csp = options?.contentSecurityPolicy;
  const directives = typeof csp === 'object' ? Object.values(csp.directives ?? {}) : [];
  if (directives.some((value) => typeof value === 'function' || (Array.isArray(value) && value.some((item) => typeof item === 'function'))))
    throw new Error('a Content-Security-Policy directive computed per request (a function) cannot be set once for every answer');
  const calls: { name: string; value?: string }[] = [];
  const answer = {
    setHeader: (name: string, value: string) => calls.push({ name, value: String(value) }),
    removeHeader: (name: string) => calls.push({ name }),
  };
  let outcome: { error?: unknown } | undefined;
  helmet(options)({} as IncomingMessage, answer as unknown as ServerResponse, (error?: unknown) => (outcome = { error }));
  // helmet's middlewares call on at once; one that did not could not be replayed.
  if (!outcome || outcome.error) throw new Error(`helmet did not set its headers at once${outcome?.error ? `: ${String(outcome.error)}` : ''}`);
  return calls;
}
