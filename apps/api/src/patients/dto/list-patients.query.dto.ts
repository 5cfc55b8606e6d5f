import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { TRANSREG } from '@vigil/domain';

const DISEASES = TRANSREG.diseases.map((d) => d.code);

export class ListPatientsQueryDto {
  @ApiPropertyOptional({ example: 'SAT' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,20}$/, { message: 'must be a site id (letters, digits, dashes)' })
  siteId?: string;

  @ApiPropertyOptional({ enum: DISEASES })
  @IsOptional()
  @IsIn(DISEASES, { message: `must be one of the TRANSREG disease codes: ${DISEASES.join(', ')}` })
  disease?: string;
}
