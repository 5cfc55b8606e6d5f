import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ApiDateTime, ApiDateTimeOptional } from '../../http/openapi';
import { TreatmentStatusResponse } from './treatment-status.response';

/** OpenAPI descriptions of what the patient endpoints answer (shapes of @vigil/domain and @vigil/event-store). */

export class EnrolledResponse {
  @ApiProperty({ example: 'TR-SAT-101' }) patientId: string;
  @ApiProperty({ description: "The patient stream's version (also the ETag)" }) version: number;
}

export class RecordedResponse {
  @ApiProperty({ format: 'uuid', description: 'Stored event id of what was recorded' }) eventId: string;
  @ApiProperty({ description: "The patient stream's version after it (also the ETag)" }) version: number;
}

export class PatientListItemResponse {
  @ApiProperty({ example: 'TR-SAT-101' }) patientId: string;
  @ApiProperty({ example: 'SAT' }) siteId: string;
  @ApiProperty({ example: 'RA' }) disease: string;
  @ApiDateTime() enrolledAt: string;
}

export class PatientListResponse {
  @ApiProperty({ type: [PatientListItemResponse] }) items: PatientListItemResponse[];
}

export class ReferenceRangeResponse {
  @ApiPropertyOptional() low?: number;
  @ApiPropertyOptional() high?: number;
}

export class NormalisedValueResponse {
  @ApiProperty() value: number;
  @ApiProperty({ example: '10*9/L' }) unit: string;
  @ApiPropertyOptional({ type: ReferenceRangeResponse }) referenceRange?: ReferenceRangeResponse;
}

export class LabResultResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ example: 'PLAT', description: 'CDISC test code' }) test: string;
  @ApiPropertyOptional({ description: 'LOINC code, when the lab sent one' }) loinc?: string;
  @ApiProperty({ description: 'As reported' }) value: number;
  @ApiProperty({ example: '/mm3' }) unit: string;
  @ApiPropertyOptional({ type: ReferenceRangeResponse }) referenceRange?: ReferenceRangeResponse;
  @ApiDateTime() collectedAt: string;
  @ApiPropertyOptional() studyDay?: number;
  @ApiProperty({ type: NormalisedValueResponse, description: "In the test's canonical unit" }) normalised: NormalisedValueResponse;
}

export class DoseResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ example: 1 }) dose: number;
  @ApiProperty({ example: 'MIU' }) unit: string;
  @ApiProperty({ example: 'SC' }) route: string;
  @ApiPropertyOptional() lot?: string;
  @ApiDateTime() administeredAt: string;
}

export class AdverseEventResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ example: 'Pyrexia' }) term: string;
  @ApiDateTime() onsetAt: string;
  @ApiDateTimeOptional({ description: 'When the investigator became aware of it (SAE clock)' }) awareAt?: string;
  @ApiProperty({ minimum: 1, maximum: 5, description: 'CTCAE grade' }) grade: number;
  @ApiProperty() serious: boolean;
  @ApiPropertyOptional({ type: [String] }) seriousnessCriteria?: string[];
  @ApiPropertyOptional() relatedness?: string;
  @ApiPropertyOptional() outcome?: string;
}

/** A record as it stands after corrections: what was first recorded, what is current, and whether it was voided. */
class RecordedEntryFields {
  @ApiProperty({ format: 'uuid', description: 'Stored event id that first recorded it' }) eventId: string;
  @ApiProperty({ description: 'Entered in error: kept for the audit trail, ignored by rules' }) voided: boolean;
  @ApiPropertyOptional() voidReason?: string;
  @ApiProperty({ type: [String], description: 'Stored event ids of its corrections, in order' }) corrections: string[];
  @ApiProperty({ description: 'Stream version it was recorded at' }) recordedSeq: number;
}

export class LabEntryResponse extends RecordedEntryFields {
  @ApiProperty({ type: LabResultResponse, description: 'As first recorded' }) original: LabResultResponse;
  @ApiProperty({ type: LabResultResponse, description: 'After every correction' }) current: LabResultResponse;
}

export class DoseEntryResponse extends RecordedEntryFields {
  @ApiProperty({ type: DoseResponse }) original: DoseResponse;
  @ApiProperty({ type: DoseResponse }) current: DoseResponse;
}

export class AdverseEventEntryResponse extends RecordedEntryFields {
  @ApiProperty({ type: AdverseEventResponse }) original: AdverseEventResponse;
  @ApiProperty({ type: AdverseEventResponse }) current: AdverseEventResponse;
}

export class DemographicsResponse {
  @ApiProperty({ enum: ['F', 'M'] }) sex: string;
  @ApiProperty() birthYear: number;
  @ApiProperty() weightKg: number;
}

class ReportEntryResponse {
  @ApiProperty({ description: 'Stored event id of the report' }) eventId: string;
  @ApiDateTime() reportedAt: string;
  @ApiPropertyOptional() reference?: string;
  @ApiDateTimeOptional() recordedAt?: string;
}

class AssessmentEntryResponse {
  @ApiProperty() eventId: string;
  @ApiProperty() expected: boolean;
  @ApiProperty({ enum: ['not-related', 'unlikely', 'possible', 'probable', 'definite'] }) causality: string;
  @ApiPropertyOptional() note?: string;
  @ApiDateTime() assessedAt: string;
}

export class FollowUpResponse {
  @ApiProperty({ type: [ReportEntryResponse], description: 'Reports to the sponsor, in recording order' }) sponsorReports: ReportEntryResponse[];
  @ApiProperty({ type: [AssessmentEntryResponse], description: "The sponsor's assessments; the last one stands" }) assessments: AssessmentEntryResponse[];
  @ApiProperty({ type: [ReportEntryResponse], description: 'Reports to the regulator, in recording order' }) regulatoryReports: ReportEntryResponse[];
}

class TreatmentStatusEntryResponse {
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: ['on-treatment', 'suspended', 'discontinued', 'completed', 'withdrawn'] }) status: string;
  @ApiDateTime() effectiveAt: string;
  @ApiProperty() reason: string;
  @ApiProperty({ description: 'Order of recording' }) recordedSeq: number;
}

@ApiExtraModels(LabEntryResponse, DoseEntryResponse, AdverseEventEntryResponse, FollowUpResponse)
export class PatientStateResponse {
  @ApiProperty() patientId: string;
  @ApiProperty() enrolled: boolean;
  @ApiProperty({ type: String, nullable: true }) trialId: string | null;
  @ApiProperty({ type: String, nullable: true }) siteId: string | null;
  @ApiProperty({ type: String, nullable: true }) disease: string | null;
  @ApiProperty({ type: DemographicsResponse, nullable: true }) demographics: DemographicsResponse | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) enrolledAt: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(DoseEntryResponse) }, description: 'By event id' })
  doses: Record<string, DoseEntryResponse>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(LabEntryResponse) }, description: 'By event id' })
  labs: Record<string, LabEntryResponse>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(AdverseEventEntryResponse) }, description: 'By event id' })
  adverseEvents: Record<string, AdverseEventEntryResponse>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(FollowUpResponse) },
    description: "What followed each adverse event (reports, assessments), by the adverse event's id",
  })
  followUps: Record<string, FollowUpResponse>;
  @ApiProperty({ type: [TreatmentStatusEntryResponse], description: 'Treatment status changes, in recording order' }) treatment: TreatmentStatusEntryResponse[];
  @ApiProperty({ type: TreatmentStatusResponse, description: 'The status now' }) treatmentStatus: TreatmentStatusResponse;
  @ApiProperty({ description: "The patient stream's version (also the ETag)" }) version: number;
}

export class EventMetadataResponse {
  @ApiProperty() userId: string;
  @ApiPropertyOptional() userName?: string;
  @ApiProperty({ example: 'investigator' }) role: string;
  @ApiPropertyOptional({ type: String, nullable: true }) siteId?: string | null;
  @ApiDateTime({ description: 'When it happened clinically' }) occurredAt: string;
  @ApiDateTime({ description: 'When Vigil recorded it' }) recordedAt: string;
  @ApiProperty() correlationId: string;
  @ApiPropertyOptional({ type: String, nullable: true }) causationId?: string | null;
  @ApiProperty() commandId: string;
  @ApiPropertyOptional() reason?: string;
}

/** A stored event in its envelope. */
export class StoredEventResponse {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'patient-TR-SAT-101' }) streamId: string;
  @ApiProperty() streamVersion: number;
  @ApiProperty() globalPosition: number;
  @ApiProperty({ example: 'LabResultRecorded' }) type: string;
  @ApiProperty() schemaVersion: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event as stored (its shape depends on `type`)' }) data: Record<string, unknown>;
  @ApiProperty({ type: EventMetadataResponse }) metadata: EventMetadataResponse;
  @ApiProperty({ description: 'SHA-256 (hex) chained to the previous event of the stream' }) hash: string;
  @ApiProperty({ type: String, nullable: true }) previousHash: string | null;
}
