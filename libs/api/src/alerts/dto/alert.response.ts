import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALERT_STATUSES, type AlertStatus } from '@vigil/domain';
import { ApiDateTime, ApiDateTimeOptional } from '../../http/openapi';
import type { AlertUpdateView } from '@vigil/projections';
import type { ServedAlert } from '../served-alert';

class AlertFiguresResponse {
  @ApiProperty({ type: Number, nullable: true }) value: number | null;
  @ApiProperty({ type: String, nullable: true }) unit: string | null;
  @ApiProperty({ type: Number, nullable: true }) normalisedValue: number | null;
  @ApiProperty({ type: String, nullable: true }) normalisedUnit: string | null;
  @ApiProperty({ type: Number, nullable: true }) grade: number | null;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity: 'warning' | 'critical';
  @ApiDateTimeOptional() deadline?: string;
}

class AlertUpdateResponse implements AlertUpdateView {
  @ApiDateTime() updatedAt: string;
  @ApiProperty({ description: 'Stored event id of the event (a correction…) that changed the alert' }) correctionEventId: string;
  @ApiProperty() reason: string;
  @ApiProperty({ type: AlertFiguresResponse }) previous: AlertFiguresResponse;
  @ApiProperty({ type: AlertFiguresResponse }) current: AlertFiguresResponse;
}

/** OpenAPI description of an alert (the shape is ServedAlert: AlertView of @vigil/projections, and `overdue`). */
export class AlertResponse implements ServedAlert {
  @ApiProperty() alertId: string;
  @ApiProperty() patientId: string;
  @ApiProperty() siteId: string;
  @ApiProperty({ example: 'TR-PLT', description: 'A rule id of the catalogue (GET /rules)' }) ruleId: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
  @ApiProperty({ description: 'Left unacknowledged past the escalation delay' }) escalated: boolean;
  @ApiDateTimeOptional() escalatedAt?: string;
  @ApiProperty({ description: 'Stored event id of the record or correction that crossed the rule' }) triggeredBy: string;
  @ApiPropertyOptional({ description: 'What the alert is about: lab/<id>, dose/<id>, ae/<id>, hy-law/<id>, due/<day>' }) subject?: string;
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
  @ApiDateTime({ description: 'When it last became open (raised, or opened again by a rise in severity)' }) openSince: string;
  @ApiDateTime({ description: 'When the triggering fact happened clinically' }) occurredAt: string;
  @ApiDateTimeOptional({ description: 'When it must be acted on (the SAE or SUSAR reporting deadline)' }) deadline?: string;
  @ApiProperty({
    description:
      'Its deadline has passed and its clock still runs (not closed by its report, not retracted; acknowledged or not). ' +
      'Computed when the alert is read, from the deadline and the time of reading: never stored, so it turns true the moment the deadline passes',
  })
  overdue: boolean;
  @ApiDateTimeOptional() acknowledgedAt?: string;
  @ApiPropertyOptional({ description: 'User id' }) acknowledgedBy?: string;
  @ApiPropertyOptional() acknowledgedByName?: string;
  @ApiPropertyOptional() acknowledgementNote?: string;
  @ApiDateTimeOptional() retractedAt?: string;
  @ApiPropertyOptional({ description: 'Event id of the correction that removed the cause' }) retractedBy?: string;
  @ApiPropertyOptional() retractionReason?: string;
  @ApiDateTimeOptional({ description: 'When the report closed its clock' }) closedAt?: string;
  @ApiDateTimeOptional({ description: 'When the report (to the sponsor, to the regulator) was made' }) reportedAt?: string;
  @ApiPropertyOptional({ description: 'The report came after the deadline' }) late?: boolean;
  @ApiPropertyOptional() reportReference?: string;
  @ApiProperty({ type: [AlertUpdateResponse], description: 'Corrections that changed what the alert shows, oldest first' }) updates: AlertUpdateResponse[];
}

export class AlertPageResponse {
  @ApiProperty({ type: [AlertResponse] }) items: AlertResponse[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next (older) page' }) nextCursor?: string;
}
