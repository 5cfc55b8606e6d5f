import { Inject, Optional } from '@nestjs/common';
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
  PatientSnapshot,
  PointInTime,
  replayPatientAt,
  StoreVerification,
  verifyStore,
} from '@vigil/audit';
import { Actor, PatientNotFoundError, patientStream } from '@vigil/domain';
import { EVENT_STORE, EventStore, SignedCheckpoint, StoredEvent, StreamCache } from '@vigil/event-store';

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
    readonly pointInTime: PointInTime,
  ) {}
}

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
export class GetPatientStateAtHandler implements IQueryHandler<GetPatientStateAt, PatientSnapshot> {
  constructor(
    private readonly streams: StreamCache,
    private readonly alerts: PatientAlertIndex,
  ) {}

  async execute({ patientId, pointInTime }: GetPatientStateAt): Promise<PatientSnapshot> {
    const [stream, alertEvents] = await Promise.all([this.streams.read(patientStream(patientId)), this.alerts.alertEventsOf(patientId)]);
    if (stream.length === 0) throw new PatientNotFoundError(patientId);
    return replayPatientAt(patientId, stream, alertEvents, pointInTime);
  }
}

@QueryHandler(GetPatientAccessLog)
export class GetPatientAccessLogHandler implements IQueryHandler<GetPatientAccessLog, AccessLog> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ patientId }: GetPatientAccessLog): Promise<AccessLog> {
    await patientEvents(this.store, patientId);
    return accessLogOf(patientId, await this.store.readStream(accessStream(patientId)));
  }
}
