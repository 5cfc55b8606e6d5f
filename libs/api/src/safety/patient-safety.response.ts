import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SUSAR_CLOCK_RULES } from '@vigil/domain';
import { ApiDateTime, ApiDateTimeOptional } from '../http/openapi';
import { AlertResponse } from '../alerts/dto/alert.response';
import { TreatmentStatusResponse } from '../patients/dto/treatment-status.response';

/** OpenAPI description of the patient safety summary (the shape is PatientSafetySummary of @vigil/projections). */
class LabValueResponse {
  @ApiProperty() eventId: string;
  @ApiProperty({ description: 'As reported' }) value: number;
  @ApiProperty() unit: string;
  @ApiProperty({ description: "In the test's canonical unit" }) normalisedValue: number;
  @ApiProperty() normalisedUnit: string;
  @ApiPropertyOptional({ description: '{low?, high?} in the canonical unit' }) referenceRange?: { low?: number; high?: number };
  @ApiDateTime() collectedAt: string;
  @ApiPropertyOptional() studyDay?: number;
  @ApiProperty() corrected: boolean;
}

export class LabSummaryResponse {
  @ApiProperty({ example: 'PLAT' }) test: string;
  @ApiProperty({ type: LabValueResponse }) latest: LabValueResponse;
  @ApiProperty({ type: Number, nullable: true, description: 'CTCAE v5.0 grade' }) grade: number | null;
  @ApiProperty({ type: String, nullable: true, enum: ['uln', 'baseline', 'absolute', 'lln', 'clearance'] }) gradeBasis: string | null;
  @ApiPropertyOptional() ungradableReason?: string;
  @ApiProperty({ type: [String], example: ['LOW', 'TR-PLT'], description: 'LOW/NORMAL/HIGH against the reference range, then the protocol rules crossed' })
  flags: string[];
  @ApiProperty({ description: '[{ruleId, reason}] rules not judged for this value' }) notEvaluated: { ruleId: string; reason: string }[];
  @ApiProperty({ nullable: true, description: '{value, unit, referenceRange?}: last value on or before the first dose' }) baseline: {
    value: number;
    unit: string;
  } | null;
  @ApiPropertyOptional({ description: 'Cockcroft-Gault creatinine clearance, mL/min' }) crclMlMin?: number;
}

export class DosesResponse {
  @ApiProperty({ description: '{given, expected, deviations, missed, byRule}' }) compliance: Record<string, unknown>;
  @ApiProperty({ description: 'Missed maintenance doses (DOSE-MISSED)' }) missed: Record<string, unknown>[];
}

class AssessmentResponse {
  @ApiProperty({ description: 'Listed in the reference safety information' }) expected: boolean;
  @ApiProperty({ enum: ['not-related', 'unlikely', 'possible', 'probable', 'definite'] }) causality: string;
  @ApiDateTime() assessedAt: string;
}

class SusarClockResponse {
  @ApiProperty({ enum: SUSAR_CLOCK_RULES }) ruleId: string;
  @ApiDateTime({ description: 'Report to the regulator by' }) deadline: string;
  @ApiDateTimeOptional() regulatoryReportedAt?: string;
}

export class AdverseEventSummaryResponse {
  @ApiProperty() eventId: string;
  @ApiProperty() term: string;
  @ApiDateTime() onsetAt: string;
  @ApiDateTimeOptional({ description: 'When the investigator became aware of it: the SAE clock starts here' }) awareAt?: string;
  @ApiProperty() grade: number;
  @ApiProperty() serious: boolean;
  @ApiProperty({ type: [String] }) seriousnessCriteria: string[];
  @ApiPropertyOptional() relatedness?: string;
  @ApiPropertyOptional() outcome?: string;
  @ApiProperty() corrected: boolean;
  @ApiDateTimeOptional({ description: '24-hour SAE reporting deadline' }) saeReportingDeadline?: string;
  @ApiDateTimeOptional({ description: 'When it was reported to the sponsor' }) sponsorReportedAt?: string;
  @ApiPropertyOptional({ type: AssessmentResponse, description: "The sponsor's last assessment" }) assessment?: AssessmentResponse;
  @ApiPropertyOptional({ type: SusarClockResponse, description: 'For a serious event assessed as related and unexpected' }) susar?: SusarClockResponse;
}

export class PatientSafetyResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ type: String, nullable: true }) siteId: string | null;
  @ApiProperty({ type: String, nullable: true }) disease: string | null;
  @ApiDateTime({ description: 'When dosing and the treatment status were reckoned' }) asOf: string;
  @ApiProperty({ type: TreatmentStatusResponse, description: 'The status now, as GET /patients/{patientId} shows it' })
  treatmentStatus: TreatmentStatusResponse;
  @ApiProperty({ type: TreatmentStatusResponse, description: 'The same as treatmentStatus (its earlier name, kept for compatibility)' })
  treatment: TreatmentStatusResponse;
  @ApiProperty({ description: 'Global log position the summary reflects' }) position: number;
  @ApiProperty({ type: [LabSummaryResponse] }) labs: LabSummaryResponse[];
  @ApiProperty({ type: [AlertResponse] }) openAlerts: AlertResponse[];
  @ApiProperty({ type: DosesResponse }) doses: DosesResponse;
  @ApiProperty({ type: [AdverseEventSummaryResponse] }) adverseEvents: AdverseEventSummaryResponse[];
}
