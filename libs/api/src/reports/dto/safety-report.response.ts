import { ApiProperty } from '@nestjs/swagger';
import { REPORTING_CLOCK_RULES } from '@vigil/domain';
import { ApiDateTime } from '../../http/openapi';

/** OpenAPI description of the trial safety report (the shape is SafetyReport of @vigil/reports). */
class StoppedLineResponse {
  @ApiProperty({ enum: ['discontinued', 'completed', 'withdrawn', 'ended'], description: '`ended`: after a fatal adverse event' }) status: string;
  @ApiProperty() reason: string;
  @ApiProperty() patients: number;
}

class DeviationLineResponse {
  @ApiProperty({ example: 'DOSE-MISSED' }) ruleId: string;
  @ApiProperty() count: number;
}

class ExposureResponse {
  @ApiProperty() enrolled: number;
  @ApiProperty() onTreatment: number;
  @ApiProperty() suspended: number;
  @ApiProperty({ type: [StoppedLineResponse] }) stopped: StoppedLineResponse[];
  @ApiProperty({ description: 'Doses given (not voided) by asOf' }) dosesGiven: number;
  @ApiProperty({ description: 'Doses the protocol grid called for by asOf while on treatment' }) dosesDue: number;
  @ApiProperty({ type: [DeviationLineResponse] }) deviations: DeviationLineResponse[];
}

class AdverseEventLineResponse {
  @ApiProperty({ description: 'As reported (no MedDRA coding yet)' }) term: string;
  @ApiProperty({ example: 'RA' }) disease: string;
  @ApiProperty({ description: "The patients' worst CTCAE grade of the term" }) worstGrade: number;
  @ApiProperty({ description: 'Patients whose worst grade of the term is worstGrade' }) patients: number;
  @ApiProperty({ description: 'Events of the term at that grade, of those patients' }) events: number;
}

class ReportingClockResponse {
  @ApiProperty({ enum: REPORTING_CLOCK_RULES }) ruleId: string;
  @ApiDateTime() deadline: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reportedAt: string | null;
  @ApiProperty({ description: 'Reported after the deadline' }) late: boolean;
  @ApiProperty({ description: 'Not reported and past the deadline at asOf' }) overdue: boolean;
}

class SeriousAdverseEventResponse {
  @ApiProperty() patientId: string;
  @ApiProperty() siteId: string;
  @ApiProperty() disease: string;
  @ApiProperty() eventId: string;
  @ApiProperty() term: string;
  @ApiProperty() grade: number;
  @ApiDateTime() onsetAt: string;
  @ApiProperty({ type: [String] }) seriousnessCriteria: string[];
  @ApiProperty({ type: String, nullable: true }) outcome: string | null;
  @ApiProperty({ type: [ReportingClockResponse] }) clocks: ReportingClockResponse[];
}

class DeathResponse {
  @ApiProperty() patientId: string;
  @ApiProperty() siteId: string;
  @ApiProperty() disease: string;
  @ApiProperty() eventId: string;
  @ApiProperty() term: string;
  @ApiDateTime() onsetAt: string;
}

class AdverseEventsResponse {
  @ApiProperty({ type: [AdverseEventLineResponse] }) byTerm: AdverseEventLineResponse[];
  @ApiProperty({ type: [SeriousAdverseEventResponse] }) serious: SeriousAdverseEventResponse[];
  @ApiProperty({ type: [DeathResponse] }) deaths: DeathResponse[];
}

class ShiftCellResponse {
  @ApiProperty({ type: Number, nullable: true, description: 'Grade of the last result on or before the first dose; null: none, or not gradable' })
  baselineGrade: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Worst grade after the first dose; null: none gradable' }) worstGrade: number | null;
  @ApiProperty() patients: number;
}

class LabShiftTableResponse {
  @ApiProperty({ example: 'PLAT' }) test: string;
  @ApiProperty() patients: number;
  @ApiProperty({ type: [ShiftCellResponse] }) cells: ShiftCellResponse[];
}

class AlertLineResponse {
  @ApiProperty({ example: 'TR-PLT' }) ruleId: string;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity: string;
  @ApiProperty() raised: number;
  @ApiProperty() open: number;
  @ApiProperty() acknowledged: number;
  @ApiProperty() retracted: number;
  @ApiProperty() closed: number;
  @ApiProperty({ type: Number, nullable: true }) medianHoursToAcknowledge: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxHoursToAcknowledge: number | null;
}

class OpenAlertResponse {
  @ApiProperty() alertId: string;
  @ApiProperty() ruleId: string;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity: string;
  @ApiProperty() patientId: string;
  @ApiProperty() siteId: string;
  @ApiDateTime() raisedAt: string;
}

class AlertsSummaryResponse {
  @ApiProperty({ type: [AlertLineResponse] }) byRule: AlertLineResponse[];
  @ApiProperty({ type: [OpenAlertResponse] }) open: OpenAlertResponse[];
}

class ThresholdLineResponse {
  @ApiProperty({ example: 'RA' }) disease: string;
  @ApiProperty() patients: number;
  @ApiProperty({ description: 'Patients with a protocol-threshold alert (TR-*) not retracted' }) crossed: number;
  @ApiProperty({ type: [String] }) patientIds: string[];
}

class ReportFiltersResponse {
  @ApiProperty({ type: String, nullable: true }) disease: string | null;
  @ApiProperty({ type: String, nullable: true }) siteId: string | null;
}

export class SafetyReportResponse {
  @ApiProperty({ example: 'TRANSREG' }) trialId: string;
  @ApiDateTime({ description: 'Events recorded after it are left out' }) asOf: string;
  @ApiProperty({ description: 'Global position of the last event included (also in X-Vigil-Position)' }) position: number;
  @ApiProperty({ type: ReportFiltersResponse }) filters: ReportFiltersResponse;
  @ApiProperty({ type: ExposureResponse }) exposure: ExposureResponse;
  @ApiProperty({ type: AdverseEventsResponse }) adverseEvents: AdverseEventsResponse;
  @ApiProperty({ type: [LabShiftTableResponse] }) labShifts: LabShiftTableResponse[];
  @ApiProperty({ type: AlertsSummaryResponse }) alerts: AlertsSummaryResponse;
  @ApiProperty({ type: [ThresholdLineResponse] }) thresholds: ThresholdLineResponse[];
}

class FhirBundleEntryResponse {
  @ApiProperty({ description: 'A FHIR R4 resource: Patient, Observation, MedicationAdministration or AdverseEvent' }) resource: Record<string, unknown>;
}

/** The outline of a FHIR R4 Bundle (the resources themselves follow the FHIR R4 specification). */
export class FhirBundleResponse {
  @ApiProperty({ enum: ['Bundle'] }) resourceType: string;
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['collection'] }) type: string;
  @ApiDateTime({ description: 'Recording time of the last event of the patient included' }) timestamp: string;
  @ApiProperty({ description: '{lastUpdated}' }) meta: Record<string, unknown>;
  @ApiProperty({ type: [FhirBundleEntryResponse] }) entry: FhirBundleEntryResponse[];
}
