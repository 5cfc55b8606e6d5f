import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTimestamp } from '../../http/timestamp';
import { RELATEDNESS } from './report-adverse-event.dto';

export const TREATMENT_STATUSES = ['on-treatment', 'suspended', 'discontinued', 'completed', 'withdrawn'] as const;

/** A report about an adverse event: to the sponsor (SAE-24H), or to the regulator (SUSAR). */
export class ReportRecordedDto {
  @ApiProperty({ format: 'date-time', example: '2026-03-02T09:00:00Z', description: 'When the report was made; not in the future' })
  @IsTimestamp()
  reportedAt: string;

  @ApiPropertyOptional({ example: 'SPONSOR-2026-0042', description: "The receiver's case number" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  reference?: string;
}

/** The sponsor's assessment of an adverse event against the reference safety information (docs/safety-rules.md §5). */
export class AssessAdverseEventDto {
  @ApiProperty({ description: 'Whether the reaction is listed in the reference safety information (for IL-2, its SmPC)' })
  @IsBoolean({ message: 'must be true or false' })
  expected: boolean;

  @ApiProperty({ enum: RELATEDNESS })
  @IsIn(RELATEDNESS, { message: `must be one of ${RELATEDNESS.join(', ')}` })
  causality: (typeof RELATEDNESS)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note?: string;
}

/** A change of the patient's treatment status, effective from a moment (after a stop, no dose is expected). */
export class ChangeTreatmentStatusDto {
  @ApiProperty({ enum: TREATMENT_STATUSES })
  @IsIn(TREATMENT_STATUSES, { message: `must be one of ${TREATMENT_STATUSES.join(', ')}` })
  status: (typeof TREATMENT_STATUSES)[number];

  @ApiProperty({ format: 'date-time', example: '2026-03-01T00:00:00Z', description: 'From when; not in the future' })
  @IsTimestamp()
  effectiveAt: string;

  @ApiProperty({ example: 'Grade 3 neutropenia: treatment suspended by the investigator' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}
