import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AlertEscalator, Projector } from '@vigil/projections';

/** Starts the projections and the escalation timer once the application is up; stops them before the store and database close. */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');

  constructor(
    private readonly projector: Projector,
    private readonly escalator: AlertEscalator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
    this.escalator.start();
    const status = await this.projector.status();
    this.logger.log(status.map((s) => `${s.name} v${s.version} build ${s.build} at ${s.position}/${s.head}`).join(', '));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.escalator.stop();
    await this.projector.stop();
  }
}
