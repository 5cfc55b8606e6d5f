import { ApiProperty, IntersectionType, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { RecordDoseDto } from './record-dose.dto';
import { RecordLabResultDto } from './record-lab-result.dto';
import { ReportAdverseEventDto } from './report-adverse-event.dto';

/** Every change to recorded data carries its reason (docs/safety-rules.md §6: old value, new value, reason). */
export class ReasonDto {
  @ApiProperty({ example: 'Transcription error: the lab report reads 80' })
  @IsString()
  @IsNotEmpty({ message: 'is required: every correction or void says why' })
  @MaxLength(1000)
  reason: string;
}

// The corrected fields (only those that change; `null` removes an optional field) and the reason.
export class CorrectLabResultDto extends IntersectionType(PartialType(RecordLabResultDto), ReasonDto) {}
export class CorrectDoseDto extends IntersectionType(PartialType(RecordDoseDto), ReasonDto) {}
export class CorrectAdverseEventDto extends IntersectionType(PartialType(ReportAdverseEventDto), ReasonDto) {}
