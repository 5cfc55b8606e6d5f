import { DynamicModule, Module } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import {
  AlertList,
  Projector,
  ReadModelDatabase,
  ReadModelProgress,
  readModels,
  readModelSource,
  ReadModelsModule,
  SAFETY_READ_MODELS,
  type ProgressSource,
} from '@vigil/projections';
import { AlertEscalator } from '../alert-escalator';
import { AlertStreams } from '../alert-streams';
import { AlertingReactor } from '../alerting-reactor';
import { StoredAlertingState } from '../stored-alerting-state';
import { ProjectorConfig, projectorConfigFromEnv } from './projector.config';
import { ALERTING_LEASE, ProjectorLeases, projectionLease } from './projector.leases';
import { ProjectorLifecycle } from './projector.lifecycle';
import { PROJECTOR_CONFIG } from './projector.tokens';

/** The alerting reactor's progress, for read-your-writes: from its own checkpoint events in this process, polled otherwise. */
export function alertingSource(state: StoredAlertingState, reactor?: AlertingReactor): ProgressSource {
  return {
    name: 'alerting',
    position: () => state.position(),
    onProgress: (listener) => {
      reactor?.events.on('checkpoint', listener);
      return () => reactor?.events.off('checkpoint', listener);
    },
  };
}

const readProgress = (store: EventStore, db: ReadModelDatabase, state: StoredAlertingState, reactor?: AlertingReactor): ReadModelProgress =>
  new ReadModelProgress(store, progressSources(db, state, reactor));

const progressSources = (db: ReadModelDatabase, state: StoredAlertingState, reactor?: AlertingReactor): ProgressSource[] => [
  ...SAFETY_READ_MODELS.map((name) => readModelSource(db, name)),
  alertingSource(state, reactor),
];

/** Calls `listener` when the projector, elsewhere, says it moved on; returns how to stop listening. */
export type ProgressWake = (listener: () => void) => () => void;

/** A source that is also woken by `wake` (the projector thread's messages), not only by the poll. */
function wokenBy(source: ProgressSource, wake: ProgressWake): ProgressSource {
  return {
    name: source.name,
    position: () => source.position(),
    onProgress: (listener) => {
      const stops = [source.onProgress(listener), wake(listener)];
      return () => stops.forEach((stop) => stop());
    },
  };
}

/**
 * The projector role: the read models (projections) and the alerting reactor, followed from the event log,
 * with their timers (escalation, missed doses), each piece run by whichever node holds its lease
 * (ProjectorLeases). Provides, globally, the read models' queries, AlertStreams (acknowledgement from the
 * API), ReadModelProgress (read-your-writes) and the Projector (rebuilds). Needs the EventStore under EVENT_STORE.
 */
@Module({})
export class ProjectorModule {
  static forRoot(overrides: Partial<ProjectorConfig> = {}, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const config: ProjectorConfig = { ...projectorConfigFromEnv(env), ...overrides };
    return {
      module: ProjectorModule,
      global: true,
      imports: [ReadModelsModule.forRoot(config.readModels)],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: ProjectorLeases, inject: [ReadModelDatabase], useFactory: (db: ReadModelDatabase) => new ProjectorLeases(db, config.lease) },
        { provide: AlertStreams, inject: [EVENT_STORE], useFactory: (store: EventStore) => new AlertStreams(store) },
        {
          provide: StoredAlertingState,
          inject: [ReadModelDatabase, ProjectorLeases],
          useFactory: (db: ReadModelDatabase, leases: ProjectorLeases) => new StoredAlertingState(db.store, { fence: leases.fence(ALERTING_LEASE) }),
        },
        {
          provide: AlertingReactor,
          inject: [EVENT_STORE, StoredAlertingState, AlertStreams, AlertEscalator],
          useFactory: (store: EventStore, state: StoredAlertingState, alerts: AlertStreams, escalator: AlertEscalator) =>
            new AlertingReactor(store, state, alerts, {
              protocol: config.protocol,
              hyLawWindowDays: config.hyLawWindowDays,
              batchSize: config.batchSize,
              escalator,
            }),
        },
        {
          provide: AlertEscalator,
          inject: [AlertList, AlertStreams],
          useFactory: (list: AlertList, alerts: AlertStreams) =>
            new AlertEscalator(list, alerts, { afterMs: config.escalateAfterMs, remindBeforeMs: config.saeRemindBeforeMs }),
        },
        {
          provide: Projector,
          inject: [EVENT_STORE, ReadModelDatabase, ProjectorLeases],
          useFactory: (store: EventStore, db: ReadModelDatabase, leases: ProjectorLeases) =>
            new Projector(store, db, readModels(), { batchSize: config.batchSize, fence: (name) => leases.fence(projectionLease(name)), rebuildOnOwner: true }),
        },
        {
          provide: ReadModelProgress,
          inject: [EVENT_STORE, ReadModelDatabase, StoredAlertingState, AlertingReactor],
          useFactory: readProgress,
        },
        ProjectorLifecycle,
      ],
      exports: [Projector, AlertingReactor, AlertEscalator, AlertStreams, ReadModelProgress, ProjectorLeases, PROJECTOR_CONFIG],
    };
  }
}

/**
 * What a process that answers queries without running the projector needs (an API replica): the read
 * models' queries, AlertStreams, read-your-writes polling the reactor's and the read models' checkpoints,
 * and a Projector that runs nothing here (status from the shared registry; rebuilds are asked of the owner).
 */
@Module({})
export class ReadSideModule {
  /** `wake`: where the projector runs on another thread of this process, its word that it moved on (read-your-writes without the poll's delay). */
  static forRoot(overrides: Partial<ProjectorConfig> = {}, env: NodeJS.ProcessEnv = process.env, wake?: ProgressWake): DynamicModule {
    const config: ProjectorConfig = { ...projectorConfigFromEnv(env), ...overrides };
    return {
      module: ReadSideModule,
      global: true,
      imports: [ReadModelsModule.forRoot(config.readModels)],
      providers: [
        { provide: AlertStreams, inject: [EVENT_STORE], useFactory: (store: EventStore) => new AlertStreams(store) },
        { provide: StoredAlertingState, inject: [ReadModelDatabase], useFactory: (db: ReadModelDatabase) => new StoredAlertingState(db.store) },
        {
          provide: Projector,
          inject: [EVENT_STORE, ReadModelDatabase],
          useFactory: (store: EventStore, db: ReadModelDatabase) =>
            new Projector(store, db, readModels(), { batchSize: config.batchSize, rebuildOnOwner: true }),
        },
        {
          provide: ReadModelProgress,
          inject: [EVENT_STORE, ReadModelDatabase, StoredAlertingState],
          useFactory: (store: EventStore, db: ReadModelDatabase, state: StoredAlertingState) =>
            new ReadModelProgress(
              store,
              progressSources(db, state).map((source) => (wake ? wokenBy(source, wake) : source)),
            ),
        },
      ],
      exports: [AlertStreams, ReadModelProgress, Projector],
    };
  }
}
