import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PatientAlertIndex, PatientSnapshots, replayStreamCache } from '@vigil/audit';
import { EVENT_STORE, EventStore, StreamCache } from '@vigil/event-store';
import { AuditTrailController } from './audit-trail.controller';
import { PatientAccessInterceptor } from './patient-access.interceptor';
import { PatientHistoryController } from './patient-history.controller';
import {
  ExportPatientHistoryHandler,
  GetPatientAccessLogHandler,
  GetPatientHistoryHandler,
  GetAuditPublicKeyHandler,
  GetPatientStateAtHandler,
  ListCheckpointsHandler,
  patientSnapshotsFor,
  VerifyAuditTrailHandler,
} from './queries/audit.queries';

/**
 * The audit trail over HTTP: verification of the store, a patient's history and its export, replay at
 * a point in time, and the log of who viewed a record. Needs the EventStoreModule and the AuthModule.
 */
@Module({
  imports: [CqrsModule],
  controllers: [AuditTrailController, PatientHistoryController],
  providers: [
    VerifyAuditTrailHandler,
    ListCheckpointsHandler,
    GetAuditPublicKeyHandler,
    GetPatientHistoryHandler,
    ExportPatientHistoryHandler,
    GetPatientStateAtHandler,
    GetPatientAccessLogHandler,
    PatientAccessInterceptor,
    { provide: PatientAlertIndex, useFactory: (store: EventStore) => new PatientAlertIndex(store), inject: [EVENT_STORE] },
    { provide: StreamCache, useFactory: (store: EventStore) => replayStreamCache(store), inject: [EVENT_STORE] },
    { provide: PatientSnapshots, useFactory: patientSnapshotsFor, inject: [EVENT_STORE] },
  ],
})
export class AuditModule {}
