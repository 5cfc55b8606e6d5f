import { Inject, Logger, Optional } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  AccessLog,
  accessLogOf,
  AuditCheckpoints,
  AuditPublicKey,
  CheckpointPage,
  accessStream,
  ExportFormat,
  exportHistory,
  exportIntegrity,
  HistoryExport,
  PatientAlertIndex,
  PatientHistory,
  patientHistory,
  foldPatientAt,
  fullViewOf,
  PatientSnapshot,
  PatientSnapshots,
  PatientStateSummary,
  StateQuery,
  stateSummaryOf,
  StoreVerification,
  verifyStore,
} from '@vigil/audit';
import { Actor, PatientNotFoundError, patientStream } from '@vigil/domain';
import { EVENT_STORE, EventStore, SignedCheckpoint, StoredEvent, StreamCache } from '@vigil/event-store';
import type { VigilConfig } from '../../config';
import { VIGIL_CONFIG } from '../../vigil-config.token';

export class VerifyAuditTrail {}

export class ListCheckpoints {
  constructor(readonly page: CheckpointPage) {}
}

export class GetAuditPublicKey {}

/** Why a process without the checkpoints module (CheckpointsModule) signs and checks nothing. */
const NOT_CONFIGURED = 'this process was started without checkpoint signing (CheckpointsModule)';

export class GetPatientHistory {
  constructor(readonly patientId: string) {}
}

export class ExportPatientHistory {
  constructor(
    readonly patientId: string,
    readonly format: ExportFormat,
    readonly exportedBy: Actor,
  ) {}
}

export class GetPatientStateAt {
  constructor(
    readonly patientId: string,
    readonly query: StateQuery,
  ) {}
}

/** The answer of `view=full`: every record at once. */
export type FullPatientState = { view: 'full' } & PatientSnapshot;

export class GetPatientAccessLog {
  constructor(readonly patientId: string) {}
}

async function patientEvents(store: EventStore, patientId: string): Promise<StoredEvent[]> {
  const events = await store.readStream(patientStream(patientId));
  if (events.length === 0) throw new PatientNotFoundError(patientId);
  return events;
}

@QueryHandler(VerifyAuditTrail)
export class VerifyAuditTrailHandler implements IQueryHandler<VerifyAuditTrail, StoreVerification> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() private readonly checkpoints?: AuditCheckpoints,
  ) {}

  execute(): Promise<StoreVerification> {
    return verifyStore(this.store, { checkpoints: this.checkpoints?.verificationSetting() ?? { off: NOT_CONFIGURED } });
  }
}

@QueryHandler(ListCheckpoints)
export class ListCheckpointsHandler implements IQueryHandler<ListCheckpoints, SignedCheckpoint[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ page }: ListCheckpoints): Promise<SignedCheckpoint[]> {
    return (await this.store.checkpoints?.list(page.after, page.limit)) ?? [];
  }
}

@QueryHandler(GetAuditPublicKey)
export class GetAuditPublicKeyHandler implements IQueryHandler<GetAuditPublicKey, AuditPublicKey | { off: string }> {
  constructor(@Optional() private readonly checkpoints?: AuditCheckpoints) {}

  async execute(): Promise<AuditPublicKey | { off: string }> {
    return this.checkpoints?.publicKey ?? { off: this.checkpoints?.offReason ?? NOT_CONFIGURED };
  }
}

@QueryHandler(GetPatientHistory)
export class GetPatientHistoryHandler implements IQueryHandler<GetPatientHistory, PatientHistory> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ patientId }: GetPatientHistory): Promise<PatientHistory> {
    return patientHistory(patientId, await patientEvents(this.store, patientId));
  }
}

@QueryHandler(ExportPatientHistory)
export class ExportPatientHistoryHandler implements IQueryHandler<ExportPatientHistory, HistoryExport> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() private readonly checkpoints?: AuditCheckpoints,
  ) {}

  async execute({ patientId, format, exportedBy }: ExportPatientHistory): Promise<HistoryExport> {
    const events = await patientEvents(this.store, patientId);
    const provenance = { exportedAt: new Date().toISOString(), exportedBy: { userId: exportedBy.userId, name: exportedBy.name, role: exportedBy.role } };
    if (format === 'csv') return exportHistory(patientHistory(patientId, events), format, provenance);
    // A checkpoint at the head now (when anything is new), so that every exported event has its proof.
    const checkpoint = (await this.checkpoints?.checkpointNow()) ?? (await this.store.checkpoints?.latest()) ?? null;
    return exportHistory(patientHistory(patientId, events), format, provenance, await exportIntegrity(this.store, events, checkpoint));
  }
}

@QueryHandler(GetPatientStateAt)
export class GetPatientStateAtHandler implements IQueryHandler<GetPatientStateAt, PatientStateSummary | FullPatientState> {
  constructor(
    private readonly streams: StreamCache,
    private readonly alerts: PatientAlertIndex,
    private readonly snapshots: PatientSnapshots,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  async execute({ patientId, query }: GetPatientStateAt): Promise<PatientStateSummary | FullPatientState> {
    const streamId = patientStream(patientId);
    const [stream, alertEvents] = await Promise.all([this.streams.read(streamId), this.alerts.alertEventsOf(patientId)]);
    if (stream.length === 0) throw new PatientNotFoundError(patientId);
    // The fold goes on from the latest snapshot that holds (docs/snapshots.md), and leaves a new one every N events.
    const from = await this.snapshots.latest(streamId, stream);
    const at = foldPatientAt(patientId, stream, alertEvents, query.pointInTime, { from, every: this.snapshots.every });
    if (at.taken) this.snapshots.take(streamId, at.taken);
    if (at.head) this.snapshots.remember(streamId, at.head);
    if (query.view === 'full') return { view: 'full', ...fullViewOf(at) };
    return stateSummaryOf(at, { now: new Date(), dosing: { protocol: this.config.protocol }, page: query.records });
  }
}

/** The replays' snapshots of patient folds, kept beside the log when the store keeps snapshots. */
export function patientSnapshotsFor(store: EventStore): PatientSnapshots {
  const logger = new Logger('PatientSnapshots');
  return new PatientSnapshots({
    log: store.snapshots,
    onSaveError: (error, streamId) => logger.warn(`snapshot of ${streamId} not saved (replays fold from the log): ${String(error)}`),
  });
}

@QueryHandler(GetPatientAccessLog)
export class GetPatientAccessLogHandler implements IQueryHandler<GetPatientAccessLog, AccessLog> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ patientId }: GetPatientAccessLog): Promise<AccessLog> {
    await patientEvents(this.store, patientId);
    return accessLogOf(patientId, await this.store.readStream(accessStream(patientId)));
  }
}
