import { DynamicModule, Module } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { createReadModelStore, ReadModelStore } from '@vigil/projections';
import type { AlertChannel } from '../alert-channel';
import { AlertNotifier } from '../alert-notifier';
import { AlertOutbox } from '../alert-outbox';
import { KafkaChannel } from '../kafka-channel';
import { EventRelay, RelayCheckpoint } from '../event-relay';
import { KafkaEventSink } from '../kafka-event-sink';
import { LogChannel } from '../log-channel';
import { WebhookChannel } from '../webhook-channel';
import { NotifierConfig, notifierConfigFromEnv } from './notifier.config';
import { EventRelayLease, NotifierLease } from './notifier.lease';
import { EventRelayLifecycle, NotifierLifecycle } from './notifier.lifecycle';
import { NOTIFIER_CONFIG } from './notifier.tokens';

const OUTBOX_STORE = Symbol('OUTBOX_STORE');

/**
 * Delivers alert events (raised, escalated, retracted) through the configured channels, via its outbox
 * (SQLite file of its own, or the shared PostgreSQL schema), one node at a time: whichever holds the
 * notifier's lease. Needs the EventStore under EVENT_STORE (EventStoreModule) from the host application.
 */
@Module({})
export class NotifierModule {
  static forRoot(overrides: Partial<NotifierConfig> = {}, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const config: NotifierConfig = { ...notifierConfigFromEnv(env), ...overrides };
    return {
      module: NotifierModule,
      providers: [
        { provide: NOTIFIER_CONFIG, useValue: config },
        { provide: NotifierLease, useFactory: () => new NotifierLease() },
        // The outbox's storage, shared with the event relay's checkpoint and both leases.
        {
          provide: OUTBOX_STORE,
          useFactory: () => createReadModelStore(config.outbox.kind === 'sqlite' ? { kind: 'sqlite', sqliteFile: config.outboxFile } : config.outbox),
        },
        {
          provide: AlertOutbox,
          inject: [OUTBOX_STORE, NotifierLease],
          useFactory: (store: ReadModelStore, lease: NotifierLease) => new AlertOutbox({ store, fence: (sql) => lease.fence(sql) }),
        },
        {
          provide: AlertNotifier,
          inject: [EVENT_STORE, AlertOutbox],
          useFactory: (store: EventStore, outbox: AlertOutbox) => {
            const channels: AlertChannel[] = [new LogChannel()];
            if (config.webhook) channels.push(new WebhookChannel(config.webhook));
            if (config.kafka) channels.push(new KafkaChannel(config.kafka));
            return new AlertNotifier(store, outbox, channels, { retryBaseMs: config.retryBaseMs, retryMaxMs: config.retryMaxMs, pollMs: config.pollMs });
          },
        },
        NotifierLifecycle,
        // The log's outbound stream, beside the alerts, when Kafka is configured (issue 13).
        ...(config.eventRelay
          ? [
              { provide: EventRelayLease, useFactory: () => new EventRelayLease() },
              {
                provide: EventRelay,
                inject: [EVENT_STORE, OUTBOX_STORE, EventRelayLease],
                useFactory: (store: EventStore, outboxStore: ReadModelStore, lease: EventRelayLease) =>
                  new EventRelay(store, new RelayCheckpoint(outboxStore, (sql) => lease.fence(sql)), new KafkaEventSink(config.eventRelay!.kafka)),
              },
              EventRelayLifecycle,
            ]
          : []),
      ],
      exports: [AlertOutbox, AlertNotifier, NOTIFIER_CONFIG],
    };
  }
}
