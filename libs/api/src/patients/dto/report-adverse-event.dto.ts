import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsTimestamp } from '../../http/timestamp';

export const SERIOUSNESS_CRITERIA = ['death', 'life-threatening', 'hospitalisation', 'disability', 'congenital-anomaly', 'medically-important'] as const;
export const RELATEDNESS = ['not-related', 'unlikely', 'possible', 'probable', 'definite'] as const;
export const OUTCOMES = ['recovered', 'recovering', 'not-recovered', 'recovered-with-sequelae', 'fatal', 'unknown'] as const;

export class ReportAdverseEventDto {
  @ApiProperty({ example: 'Injection site reaction' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  term: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-07T10:00:00Z' })
  @IsTimestamp()
  onsetAt: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-01-08T09:00:00Z',
    description: 'When the investigator learned of it: the SAE 24-hour clock starts here. Not before onsetAt, not in the future; default: now',
  })
  @IsOptional()
  @IsTimestamp()
  awareAt?: string;

  @ApiProperty({ minimum: 1, maximum: 5, description: 'CTCAE v5 grade' })
  @IsInt({ message: 'must be a CTCAE grade, a whole number from 1 to 5' })
  @Min(1, { message: 'must be a CTCAE grade, a whole number from 1 to 5' })
  @Max(5, { message: 'must be a CTCAE grade, a whole number from 1 to 5' })
  grade: number;

  @ApiProperty()
  @IsBoolean({ message: 'must be true or false' })
  serious: boolean;

  @ApiPropertyOptional({ enum: SERIOUSNESS_CRITERIA, isArray: true, description: 'Required and non-empty when serious is true' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(SERIOUSNESS_CRITERIA, { each: true, message: `each must be one of ${SERIOUSNESS_CRITERIA.join(', ')}` })
  seriousnessCriteria?: (typeof SERIOUSNESS_CRITERIA)[number][];

  @ApiPropertyOptional({ enum: RELATEDNESS })
  @IsOptional()
  @IsIn(RELATEDNESS, { message: `must be one of ${RELATEDNESS.join(', ')}` })
  relatedness?: (typeof RELATEDNESS)[number];

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `must be one of ${OUTCOMES.join(', ')}` })
  outcome?: (typeof OUTCOMES)[number];
}
