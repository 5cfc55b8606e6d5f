import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Projector } from '@vigil/projections';
import { AlertEscalator } from '../alert-escalator';
import { AlertingReactor } from '../alerting-reactor';
import type { ProjectorConfig } from './projector.config';
import { PROJECTOR_CONFIG } from './projector.tokens';

/**
 * Starts the read models, the alerting reactor and their timers (escalation, missed doses) once the
 * application is up; stops them before the store and the database close.
 */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly projector: Projector,
    private readonly reactor: AlertingReactor,
    private readonly escalator: AlertEscalator,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
    await this.reactor.start();
    this.every(this.config.escalationCheckMs, 'escalation', () => this.escalator.escalateDue());
    this.every(this.config.scheduleCheckMs, 'missed-dose check', () => this.reactor.checkSchedules());
    const status = await this.projector.status();
    const alerting = await this.reactor.status();
    this.logger.log(
      [...status.map((s) => `${s.name} v${s.version} build ${s.build} at ${s.position}/${s.head}`), `alerting at ${alerting.position}/${alerting.head}`].join(
        ', ',
      ),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.reactor.stop();
    await this.projector.stop();
  }

  private every(ms: number, what: string, pass: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      void pass().catch((error: unknown) => this.logger.error(`${what} pass failed: ${error instanceof Error ? error.message : String(error)}`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
