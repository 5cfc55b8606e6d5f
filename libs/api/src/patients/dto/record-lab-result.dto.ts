import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import type { PatientCommand } from '@vigil/domain';
import { IsTimestamp, toUtc } from '../../http/timestamp';

export class ReferenceRangeDto {
  @ApiPropertyOptional({ description: 'Lower limit of normal, in the result unit' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  low?: number;

  @ApiPropertyOptional({ description: 'Upper limit of normal, in the result unit' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  high?: number;
}

export class RecordLabResultDto {
  @ApiProperty({
    example: 'PLAT',
    description: 'CDISC LBTESTCD (WBC, LYM, NEUT, EOS, PLAT, HGB, ALT, AST, ALP, BILI, CREAT, CRP, CD4, TREG_PCT) or LOINC (777-3…), kept as sent',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  test: string;

  @ApiProperty({ example: 79 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  value: number;

  @ApiProperty({ example: '10*9/L', description: 'UCUM unit, as reported by the lab' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  unit: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-13T07:30:00Z' })
  @IsTimestamp()
  collectedAt: string;

  @ApiPropertyOptional({ type: ReferenceRangeDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReferenceRangeDto)
  referenceRange?: ReferenceRangeDto;

  @ApiPropertyOptional({ example: 8 })
  @IsOptional()
  @IsInt({ message: 'must be a whole study day' })
  studyDay?: number;
}

/** The domain command a validated lab result asks for (over HTTP, or from the Kafka lab topic). */
export function labResultCommand(body: RecordLabResultDto): PatientCommand {
  return {
    type: 'RecordLabResult',
    ...body,
    referenceRange: body.referenceRange ? { ...body.referenceRange } : undefined,
    collectedAt: toUtc(body.collectedAt),
  } as PatientCommand;
}
