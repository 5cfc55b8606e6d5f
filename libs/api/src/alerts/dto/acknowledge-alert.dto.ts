import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /alerts/:alertId/acknowledge`. */
export class AcknowledgeAlertDto {
  @ApiPropertyOptional({ description: 'What the safety officer did or decided', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
