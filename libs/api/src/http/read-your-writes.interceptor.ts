import { AsyncLocalStorage } from 'node:async_hooks';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, Optional, ServiceUnavailableException } from '@nestjs/common';
import { from, Observable, switchMap, tap } from 'rxjs';
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

const writes = new AsyncLocalStorage<{ position: number }>();

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

/**
 * Read your writes across replicas (README "Several nodes"): every write answers with the log position it
 * reached (`X-Vigil-Position`, a decimal integer); a read sent with `X-Vigil-Min-Position` waits, up to 2 s,
 * for this replica's read models (and the alerts they raise) to reach it, else answers 503 with Retry-After.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() private readonly progress?: ReadModelProgress,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<{ method: string; headers: Record<string, string | string[] | undefined> }>();
    const reply = http.getResponse<{ header(name: string, value: string): void }>();
    if (request.method === 'GET' || request.method === 'HEAD') {
      const wanted = request.headers[MIN_POSITION_HEADER.toLowerCase()];
      if (wanted === undefined) return next.handle();
      return from(this.waitFor(minPosition(wanted), reply)).pipe(switchMap(() => next.handle()));
    }
    const scope = { position: 0 };
    // The handler runs when its observable is subscribed to: subscribe inside the scope, so its appends are noted in it.
    const handled = new Observable<unknown>((subscriber) => writes.run(scope, () => next.handle().subscribe(subscriber)));
    return handled.pipe(
      switchMap((body) =>
        from(this.positionOf(scope)).pipe(
          tap((position) => reply.header(POSITION_HEADER, String(position))),
          switchMap(() => [body]),
        ),
      ),
    );
  }

  private async positionOf(scope: { position: number }): Promise<number> {
    return scope.position > 0 ? scope.position : this.store.headPosition();
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

function minPosition(raw: string | string[]): number {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!/^\d{1,15}$/.test(text.trim())) throw new ValidationError(MIN_POSITION_HEADER, 'must be a global position: a whole number, as X-Vigil-Position gave it');
  return Number(text.trim());
}
