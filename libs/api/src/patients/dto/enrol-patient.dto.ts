import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsString, Matches, Max, Min } from 'class-validator';
import { SITE_ID, SITE_ID_RULE, TRANSREG } from '@vigil/domain';
import { IsTimestamp } from '../../http/timestamp';
import { PATIENT_ID } from '../patient-id.pipe';

const DISEASES = TRANSREG.diseases.map((d) => d.code);

export class EnrolPatientDto {
  @ApiProperty({ example: 'TR-SAT-001', description: 'Trial patient code (never a name): letters, digits and dashes, with at least one digit' })
  @IsString()
  @Matches(PATIENT_ID, { message: 'must be a trial patient code (3–64 letters, digits, dashes or underscores, with at least one digit), never a name' })
  patientId: string;

  @ApiProperty({ example: 'SAT' })
  @IsString()
  @Matches(SITE_ID, { message: `must be a site id (${SITE_ID_RULE})` })
  siteId: string;

  @ApiProperty({ enum: DISEASES, example: 'RA' })
  @IsIn(DISEASES, { message: `must be one of the TRANSREG disease codes: ${DISEASES.join(', ')}` })
  disease: string;

  @ApiProperty({ enum: ['F', 'M'] })
  @IsIn(['F', 'M'], { message: 'must be F or M' })
  sex: 'F' | 'M';

  @ApiProperty({ example: 1975 })
  @IsInt({ message: 'must be a whole year' })
  @Min(1900)
  @Max(2100)
  birthYear: number;

  @ApiProperty({ example: 68.5 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number of kilograms' })
  weightKg: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T09:00:00Z' })
  @IsTimestamp()
  enrolledAt: string;
}
