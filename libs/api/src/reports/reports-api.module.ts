import { Module } from '@nestjs/common';
import { PatientsModule } from '../patients/patients.module';
import { ReportsController } from './reports.controller';
import { TrialReports } from './trial-reports';

/** Trial-wide reports and interchange (docs/interchange.md): the safety report, SDTM exports, FHIR. Reads the event log. */
@Module({
  imports: [PatientsModule],
  controllers: [ReportsController],
  providers: [TrialReports],
  exports: [TrialReports],
})
export class ReportsApiModule {}
