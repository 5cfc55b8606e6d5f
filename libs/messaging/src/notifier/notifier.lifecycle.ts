import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AlertNotifier } from '../alert-notifier';
import { AlertOutbox } from '../alert-outbox';
import { EventRelay } from '../event-relay';
import { NOTIFIER_CONFIG } from './notifier.tokens';
import type { NotifierConfig } from './notifier.config';

/** Starts the notifier once the application is up, stops it before the store closes. */
@Injectable()
export class NotifierLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Notifier');

  constructor(
    private readonly notifier: AlertNotifier,
    private readonly outbox: AlertOutbox,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifier.start();
    const webhook = this.config.webhook ? `webhook ${this.config.webhook.url}` : 'no webhook (VIGIL_ALERT_WEBHOOK_URL unset)';
    const kafka = this.config.kafka
      ? `Kafka topic ${this.config.kafka.topic} on ${this.config.kafka.brokers.join(',')}`
      : 'no Kafka (VIGIL_KAFKA_BROKERS unset)';
    this.logger.log(`delivering alerts on: ${this.notifier.channelNames.join(', ')}; ${webhook}; ${kafka}; outbox at position ${this.outbox.position()}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.notifier.stop();
  }

  onApplicationShutdown(): void {
    this.outbox.close();
  }
}

/** Starts the event relay with the application, stops it before the store closes. */
@Injectable()
export class EventRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('EventRelay');

  constructor(private readonly relay: EventRelay) {}

  onApplicationBootstrap(): void {
    this.relay.start();
    this.logger.log(`relaying every event of the log to Kafka from position ${this.relay.position}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  onApplicationShutdown(): void {
    this.relay.close();
  }
}
