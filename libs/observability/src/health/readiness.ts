import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@vigil/event-store';
import { ReadModelProgress } from '@vigil/projections';
import { OBSERVABILITY_CONFIG, type ObservabilityConfig } from '../observability.config';

/**
 * What `/health/ready` checks: the event store answers (its head, within VIGIL_READY_TIMEOUT_MS), and every
 * read model and reactor this node serves from is within VIGIL_READY_MAX_LAG events of that head.
 * A node without read models (a notifier alone) is ready when its store answers.
 */
@Injectable()
export class Readiness {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly indicators: HealthIndicatorService,
    @Inject(OBSERVABILITY_CONFIG) private readonly config: ObservabilityConfig,
    @Optional() private readonly progress?: ReadModelProgress,
  ) {}

  async eventStore(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('eventStore');
    try {
      return indicator.up({ headPosition: await this.head() });
    } catch (error) {
      return indicator.down({ message: `the event store does not answer: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  async readModels(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('readModels');
    if (!this.progress) return indicator.up({ maxLag: this.config.readyMaxLag, behind: [] });
    try {
      const [head, positions] = await Promise.all([this.head(), this.progress.positions()]);
      const lags = positions.map(({ name, position }) => ({ name, position, lag: Math.max(0, head - position) }));
      const behind = lags.filter(({ lag }) => lag > this.config.readyMaxLag);
      const details = { headPosition: head, maxLag: this.config.readyMaxLag, lags };
      if (behind.length === 0) return indicator.up(details);
      return indicator.down({
        ...details,
        message: `more than ${this.config.readyMaxLag} events behind: ${behind.map((b) => `${b.name} (${b.lag})`).join(', ')}`,
      });
    } catch (error) {
      return indicator.down({ message: `the read models' positions cannot be read: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private head(): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.config.readyTimeoutMs} ms`)), this.config.readyTimeoutMs);
    });
    return Promise.race([this.store.headPosition(), timeout]).finally(() => clearTimeout(timer));
  }
}
