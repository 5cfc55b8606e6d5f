import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiDateTime, ApiDateTimeOptional } from '../../http/openapi';
import { AdverseEventEntryResponse, DemographicsResponse, DoseEntryResponse, LabEntryResponse } from '../../patients/dto/patient.response';
import { TreatmentStatusResponse } from '../../patients/dto/treatment-status.response';
import { AdverseEventSummaryResponse, DosesResponse, LabSummaryResponse } from '../../safety/patient-safety.response';

/** OpenAPI descriptions of what the audit endpoints answer (shapes of @vigil/audit). */

export class RecordedByResponse {
  @ApiProperty() userId: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() role: string;
  @ApiProperty({ type: String, nullable: true }) siteId: string | null;
}

export class FieldChangeResponse {
  @ApiProperty({ example: 'value', description: 'Dotted path of the field' }) field: string;
  @ApiProperty({ description: 'Value before (any JSON value)', nullable: true }) old: unknown;
  @ApiProperty({ description: 'Value after (any JSON value)', nullable: true }) new: unknown;
}

export class AuditEntryResponse {
  @ApiProperty({ description: 'Stream version' }) version: number;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'LabResultCorrected' }) type: string;
  @ApiProperty() schemaVersion: number;
  @ApiDateTime({ description: 'When it happened clinically' }) occurredAt: string;
  @ApiDateTime({ description: 'When Vigil recorded it' }) recordedAt: string;
  @ApiProperty({ type: RecordedByResponse }) recordedBy: RecordedByResponse;
  @ApiProperty({ example: 'Lab result PLAT corrected: value 79000 → 80000 /mm3' }) summary: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event exactly as stored' }) data: Record<string, unknown>;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ type: [FieldChangeResponse], description: "Corrections: each field's old and new value" }) changes?: FieldChangeResponse[];
  @ApiPropertyOptional({ description: 'Corrections and voids: the event whose record they change' }) correctsEventId?: string;
  @ApiProperty() hash: string;
}

export class PatientHistoryResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ type: [AuditEntryResponse], description: 'Every event of the patient, in stream order' }) entries: AuditEntryResponse[];
}

export class PointInTimeResponse {
  @ApiDateTimeOptional() asOf?: string;
  @ApiDateTimeOptional() asKnownAt?: string;
  @ApiPropertyOptional() atVersion?: number;
}

export class LabGradeResponse {
  @ApiProperty({ type: Number, nullable: true, description: 'CTCAE v5.0 grade' }) grade: number | null;
  @ApiPropertyOptional() term?: string;
  @ApiProperty({ type: String, nullable: true, enum: ['uln', 'baseline', 'absolute', 'lln'] }) basis: string | null;
  @ApiPropertyOptional() ungradableReason?: string;
}

export class RuleHitResponse {
  @ApiProperty({ example: 'TR-PLT' }) ruleId: string;
  @ApiProperty() value: number;
  @ApiProperty() unit: string;
  @ApiProperty() threshold: number;
  @ApiProperty() thresholdUnit: string;
  @ApiProperty({ enum: ['<', '>'] }) comparison: string;
  @ApiPropertyOptional({ type: Number, nullable: true }) grade?: number | null;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity: string;
  @ApiProperty() message: string;
}

export class LabViewResponse extends LabEntryResponse {
  @ApiProperty({ type: LabGradeResponse, nullable: true, description: 'Grade of the current values (null when voided)' }) grade: LabGradeResponse | null;
  @ApiProperty({ type: [RuleHitResponse], description: 'Protocol thresholds the current values cross' }) ruleHits: RuleHitResponse[];
}

class AlertAcknowledgementResponse {
  @ApiProperty({ type: RecordedByResponse }) by: { userId: string; name?: string; role: string };
  @ApiDateTime() at: string;
  @ApiPropertyOptional() note?: string;
}

class AlertEscalationResponse {
  @ApiDateTime() at: string;
  @ApiProperty() reason: string;
}

class AlertRetractionResponse {
  @ApiDateTime() at: string;
  @ApiProperty() reason: string;
  @ApiProperty() correctionEventId: string;
}

/** An alert of the patient as it stood at the replayed point in time. */
export class ReplayedAlertResponse {
  @ApiProperty() alertId: string;
  @ApiProperty() ruleId: string;
  @ApiProperty() patientId: string;
  @ApiProperty() siteId: string;
  @ApiProperty() triggeredBy: string;
  @ApiProperty({ type: Number, nullable: true }) value: number | null;
  @ApiProperty({ type: String, nullable: true }) unit: string | null;
  @ApiProperty({ type: Number, nullable: true }) normalisedValue: number | null;
  @ApiProperty({ type: String, nullable: true }) normalisedUnit: string | null;
  @ApiProperty({ type: Number, nullable: true }) threshold: number | null;
  @ApiProperty({ type: String, nullable: true }) thresholdUnit: string | null;
  @ApiProperty({ type: Number, nullable: true }) grade: number | null;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity: string;
  @ApiProperty() message: string;
  @ApiDateTime() raisedAt: string;
  @ApiDateTimeOptional() deadline?: string;
  @ApiProperty({ description: 'open, acknowledged, retracted, closed… (render unknown values as they come)' }) status: string;
  @ApiDateTime() recordedAt: string;
  @ApiPropertyOptional({ type: AlertAcknowledgementResponse }) acknowledged?: AlertAcknowledgementResponse;
  @ApiProperty({ type: [AlertEscalationResponse] }) escalations: AlertEscalationResponse[];
  @ApiPropertyOptional({ type: AlertRetractionResponse }) retracted?: AlertRetractionResponse;
}

/** Who the patient is at a point in time, and how much of their stream that covers: the head of both views of the state (PatientAtHead). */
class PatientAtHeadResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ type: PointInTimeResponse }) pointInTime: PointInTimeResponse;
  @ApiProperty({ description: 'Highest stream version folded (0: nothing yet)' }) version: number;
  @ApiProperty({ description: 'Events folded: fewer than `version` when time bounds left some out' }) eventsFolded: number;
  @ApiProperty({ description: "The stream's current version" }) streamVersion: number;
  @ApiProperty() enrolled: boolean;
  @ApiProperty({ type: String, nullable: true }) siteId: string | null;
  @ApiProperty({ type: String, nullable: true }) disease: string | null;
  @ApiProperty({ type: DemographicsResponse, nullable: true }) demographics: DemographicsResponse | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) enrolledAt: string | null;
}

/** GET /patients/:patientId/state?view=full: every record at once (for exports). */
export class PatientSnapshotResponse extends PatientAtHeadResponse {
  @ApiProperty({ enum: ['full'] }) view: 'full';
  @ApiProperty({ type: [LabViewResponse], description: 'Clinical-time order, voided entries included (marked)' }) labs: LabViewResponse[];
  @ApiProperty({ type: [DoseEntryResponse] }) doses: DoseEntryResponse[];
  @ApiProperty({ type: [AdverseEventEntryResponse] }) adverseEvents: AdverseEventEntryResponse[];
  @ApiProperty({ type: [ReplayedAlertResponse] }) alerts: ReplayedAlertResponse[];
}

class StateDosesResponse extends DosesResponse {
  @ApiProperty({ description: 'Doses recorded by then, voided ones included' }) recorded: number;
  @ApiProperty({ description: 'Of them, entered in error' }) voided: number;
}

class StateAlertsResponse {
  @ApiProperty({ type: [ReplayedAlertResponse], description: 'Alerts then open or acknowledged (not closed, not retracted)' }) open: ReplayedAlertResponse[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { open: 2, acknowledged: 1, closed: 4 },
    description: 'How many alerts stood in each status then',
  })
  byStatus: Record<string, number>;
}

/** One record behind a summary: its kind, then the fields of a lab result (graded), a dose or an adverse event as `view=full` lists them. */
export class RecordViewResponse {
  @ApiProperty({ enum: ['lab', 'dose', 'adverseEvent'] }) kind: string;
  @ApiProperty({ description: 'Stored event id that first recorded it' }) eventId: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'As first recorded' }) original: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'After every correction by then' }) current: Record<string, unknown>;
  @ApiProperty() voided: boolean;
  @ApiPropertyOptional() voidReason?: string;
  @ApiProperty({ type: [String], description: 'Stored event ids of the corrections applied' }) corrections: string[];
  @ApiProperty({ description: 'Order of recording among the events folded' }) recordedSeq: number;
  @ApiDateTimeOptional() recordedAt?: string;
  @ApiPropertyOptional({ type: LabGradeResponse, nullable: true, description: 'Lab results: grade of the current values (null when voided)' })
  grade?: LabGradeResponse | null;
  @ApiPropertyOptional({ type: [RuleHitResponse], description: 'Lab results: protocol thresholds the current values cross' }) ruleHits?: RuleHitResponse[];
}

class RecordPageResponse {
  @ApiProperty({ type: [RecordViewResponse], description: 'Clinical-time order (ties by recording order), voided ones included (marked)' })
  items: RecordViewResponse[];
  @ApiProperty() limit: number;
  @ApiProperty({ type: String, nullable: true, description: 'Give it as `cursor` for the next page; null on the last one' }) nextCursor: string | null;
}

class StateRecordsResponse {
  @ApiProperty({ description: 'Records (labs, doses, adverse events, voided ones included) behind the summary' }) total: number;
  @ApiPropertyOptional({ type: RecordPageResponse, description: 'With include=records' }) page?: RecordPageResponse;
}

/** The default answer of GET /patients/:patientId/state: the patient at that moment, summed up. */
export class PatientStateSummaryResponse extends PatientAtHeadResponse {
  @ApiProperty({ enum: ['summary'] }) view: 'summary';
  @ApiDateTime({ description: 'When dosing and the treatment status are reckoned: the earliest bound of the point in time, else now' }) reckonedAt: string;
  @ApiProperty({ type: TreatmentStatusResponse }) treatment: TreatmentStatusResponse;
  @ApiProperty({ type: [LabSummaryResponse], description: 'Per lab test: the latest value, its grade, flags and baseline' }) labs: LabSummaryResponse[];
  @ApiProperty({ type: StateDosesResponse }) doses: StateDosesResponse;
  @ApiProperty({ type: [AdverseEventSummaryResponse] }) adverseEvents: AdverseEventSummaryResponse[];
  @ApiProperty({ type: StateAlertsResponse }) alerts: StateAlertsResponse;
  @ApiProperty({ type: StateRecordsResponse }) records: StateRecordsResponse;
}

class ViewerResponse {
  @ApiProperty() userId: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() role: string;
}

export class AccessLogEntryResponse {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiDateTime() viewedAt: string;
  @ApiProperty({ type: ViewerResponse }) viewer: ViewerResponse;
  @ApiProperty({ example: 'history' }) view: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'The query it was read with' }) query: Record<string, string>;
}

export class AccessLogResponse {
  @ApiProperty() patientId: string;
  @ApiProperty({ type: [AccessLogEntryResponse] }) entries: AccessLogEntryResponse[];
}

export class BrokenLinkResponse {
  @ApiProperty({ example: 'patient-TR-SAT-101' }) streamId: string;
  @ApiProperty({ description: 'Stream version where the chain breaks' }) version: number;
  @ApiProperty() reason: string;
}

export class SignedCheckpointResponse {
  @ApiProperty({ description: 'Events covered: global positions 1 … treeSize' }) treeSize: number;
  @ApiProperty({ description: 'Hex SHA-256 Merkle Tree Hash (RFC 9162) of those events' }) rootHash: string;
  @ApiDateTime() signedAt: string;
  @ApiProperty({ description: 'Hex SHA-256 of the signing public key (DER SubjectPublicKeyInfo)' }) keyId: string;
  @ApiProperty({ description: 'Base64 Ed25519 signature of the checkpoint text (README, For inspectors)' }) signature: string;
}

export class CheckpointMismatchResponse extends SignedCheckpointResponse {
  @ApiProperty({ description: 'Where the checkpoint was found: the database, or a copy outside it' }) source: string;
  @ApiProperty() reason: string;
}

export class CheckpointVerificationResponse {
  @ApiProperty({
    enum: ['verified', 'broken', 'off', 'unverifiable', 'unsupported'],
    description: '`unverifiable` (not ok): the store holds signed checkpoints but this node has no key to check them with',
  })
  status: 'verified' | 'broken' | 'off' | 'unverifiable' | 'unsupported';
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'Checkpoints checked (copies outside the database included)' }) checked: number;
  @ApiProperty({ type: String, nullable: true }) keyId: string | null;
  @ApiProperty({ type: SignedCheckpointResponse, nullable: true }) latest: SignedCheckpointResponse | null;
  @ApiProperty({ type: CheckpointMismatchResponse, nullable: true, description: 'The smallest checkpoint that no longer holds' })
  firstMismatch: CheckpointMismatchResponse | null;
  @ApiProperty() mismatches: number;
  @ApiProperty() message: string;
}

export class StoreVerificationResponse {
  @ApiProperty({ description: 'False when a chain is broken or a checkpoint no longer holds' }) ok: boolean;
  @ApiProperty() streams: number;
  @ApiProperty() events: number;
  @ApiProperty({ type: [BrokenLinkResponse] }) broken: BrokenLinkResponse[];
  @ApiProperty({ type: CheckpointVerificationResponse }) checkpoints: CheckpointVerificationResponse;
}

export class CheckpointPageResponse {
  @ApiProperty({ type: [SignedCheckpointResponse], description: 'Smallest tree size first' }) items: SignedCheckpointResponse[];
}

export class AuditPublicKeyResponse {
  @ApiProperty({ description: 'The hex SHA-256 of the DER public key' }) keyId: string;
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: 'Ed25519';
  @ApiProperty({ description: 'PEM (SPKI)' }) publicKey: string;
}
