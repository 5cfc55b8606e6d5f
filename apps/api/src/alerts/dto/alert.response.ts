import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiDateTime, ApiDateTimeOptional } from '../../http/openapi';
import { ALERT_STATUSES, AlertStatus, AlertView } from '@vigil/projections';

/** OpenAPI description of an alert (the shape is AlertView of @vigil/projections). */
export class AlertResponse implements AlertView {
  @ApiProperty() alertId: string;
  @ApiProperty() patientId: string;
  @ApiProperty() siteId: string;
  @ApiProperty({ example: 'TR-PLT', description: 'Rule id of docs/safety-rules.md, or DOSE-* for a dose deviation' }) ruleId: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
  @ApiProperty({ description: 'Left unacknowledged past the escalation delay' }) escalated: boolean;
  @ApiDateTimeOptional() escalatedAt?: string;
  @ApiProperty({ description: 'Stored event id of the record or correction that crossed the rule' }) triggeredBy: string;
  @ApiProperty({ type: Number, nullable: true, description: 'As reported by the lab' }) value: number | null;
  @ApiProperty({ type: String, nullable: true }) unit: string | null;
  @ApiProperty({ type: Number, nullable: true, description: "In the test's canonical unit" }) normalisedValue: number | null;
  @ApiProperty({ type: String, nullable: true }) normalisedUnit: string | null;
  @ApiProperty({ type: Number, nullable: true }) threshold: number | null;
  @ApiProperty({ type: String, nullable: true }) thresholdUnit: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'CTCAE v5.0 grade' }) grade: number | null;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity: 'warning' | 'critical';
  @ApiProperty() message: string;
  @ApiDateTime({ description: 'When Vigil raised it' }) raisedAt: string;
  @ApiDateTime({ description: 'When the triggering fact happened clinically' }) occurredAt: string;
  @ApiDateTimeOptional({ description: 'When it must be acted on (SAE reporting deadline)' }) deadline?: string;
  @ApiDateTimeOptional() acknowledgedAt?: string;
  @ApiPropertyOptional({ description: 'User id' }) acknowledgedBy?: string;
  @ApiPropertyOptional() acknowledgedByName?: string;
  @ApiPropertyOptional() acknowledgementNote?: string;
  @ApiDateTimeOptional() retractedAt?: string;
  @ApiPropertyOptional({ description: 'Event id of the correction that removed the cause' }) retractedBy?: string;
  @ApiPropertyOptional() retractionReason?: string;
}

export class AlertPageResponse {
  @ApiProperty({ type: [AlertResponse] }) items: AlertResponse[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next (older) page' }) nextCursor?: string;
}
