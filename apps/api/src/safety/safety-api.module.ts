import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { AlertStreams } from '@vigil/projections';
import { AcknowledgeAlertHandler } from '../alerts/acknowledge-alert.command';
import { GetAlertHandler, ListAlertsHandler } from '../alerts/alert.queries';
import { AlertStreamController } from '../alerts/alert-stream.controller';
import { AlertsController } from '../alerts/alerts.controller';
import { PatientSafetyController } from './patient-safety.controller';
import { GetPatientSafetyHandler } from './patient-safety.query';

/**
 * Safety over HTTP: the patient safety summary and the alerts (list, get, acknowledge, stream).
 * Reads the read models provided globally by ReadModelsModule (imported by ProjectorModule, or on its
 * own in a process that only answers queries); writes alert streams through the EventStore.
 */
@Module({
  imports: [CqrsModule],
  controllers: [AlertsController, AlertStreamController, PatientSafetyController],
  providers: [
    { provide: AlertStreams, inject: [EVENT_STORE], useFactory: (store: EventStore) => new AlertStreams(store) },
    ListAlertsHandler,
    GetAlertHandler,
    AcknowledgeAlertHandler,
    GetPatientSafetyHandler,
  ],
})
export class SafetyApiModule {}
