import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TREATMENT_STATUSES, type TreatmentStatusNow } from '@vigil/domain';
import { ApiDateTimeOptional } from '../../http/openapi';

/** The treatment status now: one shape wherever it is shown (GET /patients/:patientId, /safety, /state). */
export class TreatmentStatusResponse implements TreatmentStatusNow {
  @ApiProperty({ enum: [...TREATMENT_STATUSES, 'ended'], description: '`ended`: after a fatal adverse event' }) status: TreatmentStatusNow['status'];
  @ApiDateTimeOptional({ description: 'When the status took effect: the `effectiveAt` of POST /patients/{patientId}/treatment-status' })
  effectiveAt?: string;
  @ApiDateTimeOptional({ description: 'The same instant as effectiveAt (its earlier name, kept for compatibility)' }) since?: string;
  @ApiPropertyOptional() reason?: string;
}
