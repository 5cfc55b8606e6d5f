import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsNumber, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTimestamp } from '../../http/timestamp';

/** Unit and route other than the protocol's (MIU, SC) are recorded and flagged, never refused (docs/protocol.md). */
export class RecordDoseDto {
  @ApiProperty({ example: 1 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  dose: number;

  @ApiProperty({ example: 'MIU' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  unit: string;

  @ApiProperty({ example: 'SC' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  route: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-06T08:00:00Z' })
  @IsTimestamp()
  administeredAt: string;

  @ApiPropertyOptional({ example: 'L2026-0142' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lot?: string;
}
