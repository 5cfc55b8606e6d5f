import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PatientCommandHandler } from './commands/patient-command.handler';
import { PatientStates } from './patient-states';
import { CorrectionsController } from './corrections.controller';
import { FollowUpsController } from './follow-ups.controller';
import { PatientsController } from './patients.controller';
import { ListPatientsHandler } from './queries/list-patients';
import { GetPatientEventsHandler, GetPatientHandler } from './queries/patient.queries';

/** Recording doses, labs and adverse events, and reading a patient's state and stream. */
@Module({
  imports: [CqrsModule],
  controllers: [PatientsController, CorrectionsController, FollowUpsController],
  providers: [PatientStates, PatientCommandHandler, GetPatientHandler, GetPatientEventsHandler, ListPatientsHandler],
  exports: [PatientStates],
})
export class PatientsModule {}
