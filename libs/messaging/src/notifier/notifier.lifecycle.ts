import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Lease } from '@vigil/projections';
import { AlertNotifier } from '../alert-notifier';
import { AlertOutbox } from '../alert-outbox';
import { EventRelay } from '../event-relay';
import { NOTIFIER_CONFIG } from './notifier.tokens';
import type { NotifierConfig } from './notifier.config';
import { EVENT_RELAY_LEASE, EventRelayLease, NOTIFIER_LEASE, NotifierLease } from './notifier.lease';

/**
 * Competes for the notifier's lease once the application is up and delivers while it holds it; on
 * shutdown stops and gives the lease up (a standby takes over at once), before the store closes.
 */
@Injectable()
export class NotifierLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Notifier');

  constructor(
    private readonly notifier: AlertNotifier,
    private readonly outbox: AlertOutbox,
    private readonly holder: NotifierLease,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const lease = new Lease(this.outbox.leases, NOTIFIER_LEASE, { start: () => this.notifier.start(), stop: () => this.notifier.pause() }, this.config.lease);
    this.holder.lease = lease;
    await lease.start();
    const webhook = this.config.webhook ? `webhook ${this.config.webhook.url}` : 'no webhook (VIGIL_ALERT_WEBHOOK_URL unset)';
    const kafka = this.config.kafka
      ? `Kafka topic ${this.config.kafka.topic} on ${this.config.kafka.brokers.join(',')}`
      : 'no Kafka (VIGIL_KAFKA_BROKERS unset)';
    this.logger.log(
      `delivering alerts on: ${this.notifier.channelNames.join(', ')}; ${webhook}; ${kafka}; outbox at position ${await this.outbox.position()}` +
        (lease.held ? '' : '; standby (another node holds the notifier lease)'),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.holder.lease?.stop();
    await this.notifier.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.outbox.close();
  }
}

/**
 * Competes for the event relay's lease once the application is up and relays while it holds it (one node at
 * a time, from the checkpoint the last holder saved); on shutdown stops and gives the lease up, before the
 * store closes.
 */
@Injectable()
export class EventRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventRelay');

  constructor(
    private readonly relay: EventRelay,
    private readonly outbox: AlertOutbox,
    private readonly holder: EventRelayLease,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const lease = new Lease(this.outbox.leases, EVENT_RELAY_LEASE, { start: async () => this.relay.start(), stop: () => this.relay.stop() }, this.config.lease);
    this.holder.lease = lease;
    await lease.start();
    this.logger.log(
      lease.held
        ? `relaying every event of the log to Kafka from position ${await this.relay.position()}`
        : 'standby: another node holds the event relay lease',
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.holder.lease?.stop();
    await this.relay.stop();
  }
}
