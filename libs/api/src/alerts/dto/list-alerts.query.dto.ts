import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ALERT_STATUSES, type AlertSeverity, type AlertStatus } from '@vigil/domain';

/** Query string of `GET /alerts`. */
export class ListAlertsQueryDto {
  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES, { message: `must be one of: ${ALERT_STATUSES.join(', ')}` })
  status?: AlertStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  patientId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  siteId?: string;

  @ApiPropertyOptional({ enum: ['warning', 'critical'] })
  @IsOptional()
  @IsIn(['warning', 'critical'], { message: 'must be one of: warning, critical' })
  severity?: AlertSeverity;

  @ApiPropertyOptional({ example: 'TR-PLT' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  ruleId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}
