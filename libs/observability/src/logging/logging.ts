import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Level } from 'pino';
import type { Options } from 'pino-http';

/** How the process logs: JSON lines (not a terminal), readable lines (a terminal), or nothing (tests). */
export type LogFormat = 'json' | 'pretty' | 'silent';

export interface LoggingOptions {
  format: LogFormat;
  level: Level;
  /** Set on a worker thread's lines (the projector thread of the embedded default): which thread wrote them. */
  thread?: number;
}

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
/** Probes and scrapes come every few seconds: their lines would drown the rest. */
const QUIET_ROUTES = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * VIGIL_LOG_LEVEL (default `info`) and VIGIL_LOG_FORMAT (`json` or `pretty`; default: `pretty` on a
 * terminal, `json` otherwise: one JSON object a line, what log collectors read).
 */
export function loggingFromEnv(env: NodeJS.ProcessEnv = process.env, isTerminal = Boolean(process.stdout.isTTY)): LoggingOptions {
  const level = (env.VIGIL_LOG_LEVEL || 'info') as Level;
  if (!LEVELS.includes(level)) throw new Error(`VIGIL_LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.VIGIL_LOG_LEVEL}"`);
  const format = env.VIGIL_LOG_FORMAT || (isTerminal ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new Error(`VIGIL_LOG_FORMAT must be json or pretty, got "${format}"`);
  return { format, level };
}

/**
 * Structured logs (pino through nestjs-pino): Nest's own lines and one line per HTTP answer, each with
 * the request id (`requestId`, and `req.id` in the request) and correlation id (request-id.ts); tokens and cookies
 * are never written.
 */
export function loggingModule(options: LoggingOptions): DynamicModule {
  const http: Options = {
    ...(options.thread === undefined ? {} : { base: { pid: process.pid, hostname: hostname(), thread: options.thread } }),
    level: options.format === 'silent' ? 'silent' : options.level,
    // The request id is Fastify's (libs/api http/request-id.ts: the caller's X-Request-Id, or a new UUID).
    // No bindings while the request has no correlation id yet (it is set after this middleware when none came): pino-http
    // would make a child logger per request that binds nothing; the answer's line binds it once it is set, with the
    // request id beside it at the top level (`requestId`, the value of `req.id`) for collectors that index top-level fields.
    customProps: (request) => idsOf(request as IncomingMessage & { id?: unknown }) as object,
    autoLogging: { ignore: (request) => QUIET_ROUTES.has(((request as { originalUrl?: string }).originalUrl ?? request.url ?? '').split('?')[0]) },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      req: (request: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
        id: request.id,
        method: request.method,
        url: request.url,
        userAgent: request.headers['user-agent'],
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  };
  return LoggerModule.forRoot({ pinoHttp: options.format === 'pretty' ? [http, prettyStream()] : http });
}

function idsOf(request: IncomingMessage & { id?: unknown }): { requestId: unknown; correlationId: string | string[] } | undefined {
  const correlationId = request.headers['x-correlation-id'];
  return correlationId === undefined ? undefined : { requestId: request.id, correlationId };
}

/** pino-pretty, loaded only when a person reads the terminal. */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on a terminal only.
  const pretty = require('pino-pretty') as (options: object) => DestinationStream;
  return pretty({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,req.userAgent' });
}
