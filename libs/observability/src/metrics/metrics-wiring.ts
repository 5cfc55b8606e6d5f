import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { EVENT_STORE, type EventStore } from '@vigil/event-store';
import { ALERTING_LEASE, ProjectorLeases } from '@vigil/alerting';
import { AlertNotifier, AlertOutbox, NotifierLease } from '@vigil/messaging';
import { ReadModelProgress } from '@vigil/projections';
import { measureHttp } from './http-metrics';
import { VigilMetrics } from './vigil-metrics';

/**
 * Connects the metrics to the parts this process runs, found in the application when present: the HTTP
 * server (request durations), the read models and reactors (lag), the notifier (backlog, failures).
 */
@Injectable()
export class MetricsWiring implements OnModuleInit {
  constructor(
    private readonly metrics: VigilMetrics,
    private readonly modules: ModuleRef,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onModuleInit(): void {
    const http = this.find(HttpAdapterHost)?.httpAdapter;
    if (http) measureHttp(http.getInstance() as FastifyInstance, this.metrics);
    const progress = this.find(ReadModelProgress);
    if (progress) {
      this.metrics.watchLag({
        positions: () => progress.positions(),
        head: () => this.store.headPosition(),
        recordedAfter: async (position) => {
          for await (const batch of this.store.readAll({ after: position, batchSize: 1 })) {
            return batch.length > 0 ? Date.parse(batch[0].metadata.recordedAt) : undefined;
          }
          return undefined;
        },
      });
    }
    const notifier = this.find(AlertNotifier);
    const channels = notifier?.channelNames ?? [];
    const outbox = this.find(AlertOutbox);
    if (outbox) this.metrics.watchBacklog(() => outbox.backlog(channels));
    // Who holds the work of each role now: the leases of this node (one owner per lease across the nodes).
    const leases = this.find(ProjectorLeases);
    if (leases) {
      this.metrics.watchRole('projector', () => leases.all().some((lease) => lease.name !== ALERTING_LEASE && lease.held));
      this.metrics.watchRole('alerting', () => leases.held(ALERTING_LEASE));
    }
    const notifierLease = this.find(NotifierLease);
    if (notifierLease) this.metrics.watchRole('notifier', () => notifierLease.lease?.held ?? false);
    // Every configured channel has a sample from the start (0), not only after its first failure.
    for (const channel of channels) this.metrics.deliveryFailures.inc({ channel }, 0);
    notifier?.events.on('delivery-failed', ({ channel }: { channel: string }) => this.metrics.deliveryFailures.inc({ channel }));
  }

  private find<T>(token: abstract new (...args: never[]) => T): T | undefined {
    try {
      return this.modules.get(token as never, { strict: false }) as T;
    } catch {
      return undefined;
    }
  }
}
