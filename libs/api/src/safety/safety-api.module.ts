import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AcknowledgeAlertHandler } from '../alerts/acknowledge-alert.command';
import { GetAlertHandler, ListAlertsHandler } from '../alerts/alert.queries';
import { AlertStreamController } from '../alerts/alert-stream.controller';
import { AlertsController } from '../alerts/alerts.controller';
import { PatientsModule } from '../patients/patients.module';
import { PatientSafetyController } from './patient-safety.controller';
import { GetPatientSafetyHandler } from './patient-safety.query';

/**
 * Safety over HTTP: the patient safety summary and the alerts (list, get, acknowledge, stream). Reads the
 * read models and writes alert streams through AlertStreams, both provided globally by the host process
 * (ProjectorModule, or ReadSideModule in a process that only answers queries).
 */
@Module({
  imports: [CqrsModule, PatientsModule],
  controllers: [AlertsController, AlertStreamController, PatientSafetyController],
  providers: [ListAlertsHandler, GetAlertHandler, AcknowledgeAlertHandler, GetPatientSafetyHandler],
})
export class SafetyApiModule {}
