import { RULES, type RuleDefinition } from '@vigil/domain';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The rule catalogue as a Markdown table, for the README's "## The rules" and `npm run vigil -- rules`. */
export function ruleCatalogueMarkdown(): string {
  const rows = (RULES as readonly RuleDefinition[]).map((rule) =>
    [
      `\`${rule.id}\``,
      cell(rule.flags),
      cell(rule.appliesTo),
      rule.severityNote ? `${rule.severity}; ${rule.severityNote}` : rule.severity,
      cell(rule.source),
    ].join(' | '),
  );
  return ['| Rule | Flags | Applies to | Severity | Source |', '| --- | --- | --- | --- | --- |', ...rows.map((row) => `| ${row} |`)].join('\n') + '\n';
}
