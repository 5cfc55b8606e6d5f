import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { RULES, type RuleDefinition } from '@vigil/domain';

class RuleResponse implements RuleDefinition {
  @ApiProperty({ example: 'TR-PLT' }) id: string;
  @ApiProperty({ enum: ['protocol threshold', 'CTCAE grade', 'liver injury', 'adverse event', 'expedited reporting', 'dosing'] })
  category: RuleDefinition['category'];
  @ApiProperty() title: string;
  @ApiProperty({ description: 'What the rule flags' }) flags: string;
  @ApiProperty({ description: 'What it is judged on, and which diseases it leaves out' }) appliesTo: string;
  @ApiProperty({ enum: ['warning', 'critical'], description: 'The severity an alert of this rule is raised with' }) severity: RuleDefinition['severity'];
  @ApiPropertyOptional({ example: 'critical at CTCAE grade 3 or more' }) severityNote?: string;
  @ApiProperty({ description: 'Where the rule comes from' }) source: string;
}

class RuleCatalogueResponse {
  @ApiProperty({ type: [RuleResponse] }) items: RuleResponse[];
}

/** The rule catalogue (docs/safety-rules.md §8): every rule Vigil judges, what it flags, its severity and source. */
@ApiTags('rules')
@Controller('rules')
export class RulesController {
  @Get()
  @ApiOkResponse({ type: RuleCatalogueResponse, description: 'Every rule id an alert may carry, as the README lists them' })
  list(): RuleCatalogueResponse {
    return { items: RULES.map((rule) => ({ ...rule })) };
  }
}
