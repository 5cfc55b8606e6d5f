import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { SITE_ID, SITE_ID_RULE, TRANSREG } from '@vigil/domain';

const DISEASES = TRANSREG.diseases.map((d) => d.code);

export class ListPatientsQueryDto {
  @ApiPropertyOptional({ example: 'SAT' })
  @IsOptional()
  @Matches(SITE_ID, { message: `must be a site id (${SITE_ID_RULE})` })
  siteId?: string;

  @ApiPropertyOptional({ enum: DISEASES })
  @IsOptional()
  @IsIn(DISEASES, { message: `must be one of the TRANSREG disease codes: ${DISEASES.join(', ')}` })
  disease?: string;
}
