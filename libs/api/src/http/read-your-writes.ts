import { AsyncLocalStorage } from 'node:async_hooks';
import { CanActivate, ExecutionContext, Inject, Injectable, Module, OnModuleInit, Optional, ServiceUnavailableException } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppendOptions, AppendResult, EventStore, NewEvent } from '@vigil/event-store';
import { EVENT_STORE, overriding } from '@vigil/event-store';
import { ValidationError } from '@vigil/domain';
import { ReadModelProgress, ReadModelsBehindError } from '@vigil/projections';
import { RETRY_AFTER_SECONDS } from './database-unavailable';

/** The answer's header: the global position the write reached (its last event, or the head when it appended none). */
export const POSITION_HEADER = 'X-Vigil-Position';
/** The request's header: answer only from read models covering this global position. */
export const MIN_POSITION_HEADER = 'X-Vigil-Min-Position';
/** How long a read waits for this replica's read models to reach X-Vigil-Min-Position before 503. */
export const MIN_POSITION_WAIT_MS = 2_000;

interface WriteScope {
  position: number;
}

const writes = new AsyncLocalStorage<WriteScope>();
const SCOPE = Symbol('vigil.writeScope');
type ScopedRequest = FastifyRequest & { [SCOPE]?: WriteScope };

/**
 * The event store as the API uses it: each append notes the position it reached in the request it runs
 * for, so the answer can say where the write got to (X-Vigil-Position). Wrap once, where the store is made.
 */
export function notingWritePositions(store: EventStore): EventStore {
  return overriding(store, {
    append: async (streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> => {
      const result = await store.append(streamId, events, options);
      const scope = writes.getStore();
      const last = result.events[result.events.length - 1]?.globalPosition;
      if (scope && last !== undefined) scope.position = Math.max(scope.position, last);
      return result;
    },
  });
}

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/** A read sent with X-Vigil-Min-Position waits for the read models to reach it (see ReadYourWritesModule, below). */
@Injectable()
export class ReadYourWritesGuard implements CanActivate {
  constructor(@Optional() private readonly progress?: ReadModelProgress) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<{ method: string; headers: Record<string, string | string[] | undefined> }>();
    if (!isRead(request.method)) return true;
    const wanted = request.headers[MIN_POSITION_HEADER.toLowerCase()];
    if (wanted === undefined) return true;
    return this.waitFor(minPosition(wanted), http.getResponse()).then(() => true);
  }

  private async waitFor(position: number, reply: { header(name: string, value: string): void }): Promise<void> {
    if (!this.progress || position === 0) return;
    try {
      await this.progress.waitForPosition(position, { timeoutMs: MIN_POSITION_WAIT_MS });
    } catch (error) {
      if (!(error instanceof ReadModelsBehindError)) throw error;
      reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
      throw new ServiceUnavailableException({
        code: 'READ_MODELS_BEHIND',
        message: `this replica's read models did not reach position ${position} within ${MIN_POSITION_WAIT_MS} ms (${error.behind
          .map((b) => `${b.name} at ${b.position}`)
          .join(', ')}): try again in ${RETRY_AFTER_SECONDS} s`,
      });
    }
  }
}

/**
 * Read your writes across replicas (README "Several nodes"): every write answers with the log position it
 * reached (`X-Vigil-Position`, a decimal integer); a read sent with `X-Vigil-Min-Position` waits, up to 2 s,
 * for this replica's read models (and the alerts they raise) to reach it, else answers 503 with Retry-After.
 *
 * Both halves sit outside Nest's interceptors, so a write runs through none (an interceptor costs every request
 * of its route its RxJS pipeline and async-context bindings: bench/README.md "Both cores"). The wait is a guard
 * (below), imported after the auth module so that it runs after the identity and access guards, as the
 * interceptor did; the write's scope is opened in a Fastify hook around the whole request, and its position set
 * on the answer of a write that succeeded (a status below 400: every refusal or failure is answered from an
 * exception, with 400 or above).
 */
@Module({ providers: [{ provide: APP_GUARD, useClass: ReadYourWritesGuard }] })
export class ReadYourWritesModule implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (!fastify) return;
    fastify.addHook('onRequest', (request: ScopedRequest, _reply, done) => {
      if (isRead(request.method)) return done();
      const scope: WriteScope = { position: 0 };
      request[SCOPE] = scope;
      // Everything the request goes on to run (body parsing, guards, the handler's appends) runs in this scope.
      writes.run(scope, done);
    });
    fastify.addHook('onSend', (request: ScopedRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => {
      const scope = request[SCOPE];
      if (!scope || reply.statusCode >= 400) return done(null, payload);
      if (scope.position > 0) {
        void reply.header(POSITION_HEADER, String(scope.position));
        return done(null, payload);
      }
      this.store.headPosition().then(
        (head) => {
          void reply.header(POSITION_HEADER, String(head));
          done(null, payload);
        },
        (error: Error) => done(error),
      );
    });
  }
}

function minPosition(raw: string | string[]): number {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!/^\d{1,15}$/.test(text.trim())) throw new ValidationError(MIN_POSITION_HEADER, 'must be a global position: a whole number, as X-Vigil-Position gave it');
  return Number(text.trim());
}
