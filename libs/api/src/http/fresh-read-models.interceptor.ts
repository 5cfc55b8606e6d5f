import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { from, Observable, switchMap } from 'rxjs';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { ReadModelProgress, ReadModelsBehindError } from '@vigil/projections';

/** How long a read waits for the read models to reach the log's head before answering with what they have. */
const FRESHNESS_TIMEOUT_MS = 2_000;

/**
 * Read-your-writes for queries on read models: before answering, wait until the projections (and the
 * alerts they raise) cover every event in the log at the time of the request. A safety officer who
 * has just seen a lab POST answered sees its alert. If the projector is far behind (a large rebuild
 * elsewhere), the read answers after a bounded wait with what is there and says how stale it is.
 */
@Injectable()
export class FreshReadModelsInterceptor implements NestInterceptor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly progress: ReadModelProgress,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<{ header(name: string, value: string): void }>();
    return from(this.settle(reply)).pipe(switchMap(() => next.handle()));
  }

  private async settle(reply: { header(name: string, value: string): void }): Promise<void> {
    try {
      await this.progress.waitForPosition(await this.store.headPosition(), { timeoutMs: FRESHNESS_TIMEOUT_MS });
    } catch (error) {
      if (!(error instanceof ReadModelsBehindError)) throw error;
      reply.header('X-Vigil-Read-Models-Behind', error.behind.map((b) => `${b.name}@${b.position}`).join(', '));
    }
  }
}

/** Marks a query endpoint as answering from read models caught up with the log (see above). */
export const FreshReadModels = () => UseInterceptors(FreshReadModelsInterceptor);
