import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Projector } from '@vigil/projections';
import { AlertEscalator } from '../alert-escalator';
import { AlertingReactor } from '../alerting-reactor';
import type { ProjectorConfig } from './projector.config';
import { ALERTING_LEASE, ProjectorLeases, projectionLease } from './projector.leases';
import { PROJECTOR_CONFIG } from './projector.tokens';

/**
 * Competes for the leases of the read models and of the alerting reactor once the application is up:
 * each piece of work runs (from its checkpoint) while this node holds its lease, and stops when the lease
 * is lost. The escalation and missed-dose timers tick here and act only while the alerting lease is held.
 * On shutdown, the work stops and the leases are given up, so a standby takes over at once.
 */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly projector: Projector,
    private readonly reactor: AlertingReactor,
    private readonly escalator: AlertEscalator,
    private readonly leases: ProjectorLeases,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const projection of this.projector.projections) {
      const lease = this.leases.lease(projectionLease(projection.name), {
        start: () => this.projector.follow(projection.name),
        stop: () => this.projector.unfollow(projection.name),
      });
      await lease.start();
    }
    await this.leases.lease(ALERTING_LEASE, { start: () => this.reactor.start(), stop: () => this.reactor.stop() }).start();
    // Rebuilds asked of another node (an API replica, a standby) run here, on the read model's owner.
    const requests = setInterval(
      () => void this.projector.takeRebuildRequests().catch((error: unknown) => this.logger.error(`taking rebuild requests failed: ${String(error)}`)),
      this.config.lease.heartbeatMs,
    );
    requests.unref();
    this.timers.push(requests);
    this.every(this.config.escalationCheckMs, 'escalation', () => this.escalator.escalateDue());
    this.every(this.config.scheduleCheckMs, 'missed-dose check', () => this.reactor.checkSchedules());
    const status = await this.projector.status();
    const alerting = await this.reactor.status();
    const held = this.leases.all().filter((lease) => lease.held);
    this.logger.log(
      [
        ...status.map((s) => `${s.name} v${s.version} build ${s.build} at ${s.position}/${s.head}`),
        `alerting at ${alerting.position}/${alerting.head}`,
        `leases held here: ${held.map((lease) => lease.name).join(', ') || 'none (standby)'}`,
      ].join(', '),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all(this.leases.all().map((lease) => lease.stop()));
  }

  /** A timer of the alerting reactor: acts only where the alerting lease is held. */
  private every(ms: number, what: string, pass: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      if (!this.leases.held(ALERTING_LEASE)) return;
      void pass().catch((error: unknown) => this.logger.error(`${what} pass failed: ${error instanceof Error ? error.message : String(error)}`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
