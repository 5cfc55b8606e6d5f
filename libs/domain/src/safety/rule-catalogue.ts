import type { AlertSeverity } from '../events';

/**
 * Every rule Vigil judges, in one place (docs/safety-rules.md §8): its id, what it
 * flags, what it applies to, its severity and its source. `GET /rules` serves this list and the README
 * prints it; adding a rule is adding a row here and the small function that evaluates it.
 */
export interface RuleDefinition {
  readonly id: string;
  readonly category: 'protocol threshold' | 'CTCAE grade' | 'liver injury' | 'adverse event' | 'expedited reporting' | 'dosing';
  readonly title: string;
  /** What the rule flags, in words. */
  readonly flags: string;
  /** What the rule is judged on (which results, events or doses; which diseases it leaves out). */
  readonly appliesTo: string;
  /** The severity an alert of this rule is raised with. */
  readonly severity: AlertSeverity;
  /** When the severity is higher than `severity`, e.g. `critical at CTCAE grade 3 or more`. */
  readonly severityNote?: string;
  /** Where the rule comes from. */
  readonly source: string;
}

export const RULES = [
  {
    id: 'TR-WBC',
    category: 'protocol threshold',
    title: 'White blood cells below 2.0 × 10⁹/L',
    flags: 'a white blood cell count below 2.0 × 10⁹/L (2 000/mm³)',
    appliesTo: 'WBC results, every disease',
    severity: 'critical',
    source: 'TRANSREG protocol exclusion threshold (docs/safety-rules.md §1)',
  },
  {
    id: 'TR-LYM',
    category: 'protocol threshold',
    title: 'Lymphocytes below 0.6 × 10⁹/L',
    flags: 'a lymphocyte count below 0.6 × 10⁹/L (600/mm³)',
    appliesTo: 'LYM results, every disease',
    severity: 'warning',
    severityNote: 'critical at CTCAE grade 3 or more',
    source: 'TRANSREG protocol exclusion threshold (docs/safety-rules.md §1)',
  },
  {
    id: 'TR-PLT',
    category: 'protocol threshold',
    title: 'Platelets below 80 × 10⁹/L',
    flags: 'a platelet count below 80 × 10⁹/L (80 000/mm³)',
    appliesTo: 'PLAT results, every disease',
    severity: 'warning',
    severityNote: 'critical at CTCAE grade 3 or more',
    source: 'TRANSREG protocol exclusion threshold (docs/safety-rules.md §1)',
  },
  {
    id: 'TR-ALT',
    category: 'protocol threshold',
    title: 'ALT above 5 × ULN',
    flags: 'an ALT above 5 times the upper limit of normal of that result',
    appliesTo: 'ALT results, every disease but autoimmune hepatitis (AIH)',
    severity: 'critical',
    source: 'TRANSREG protocol exclusion threshold (docs/safety-rules.md §1)',
  },
  {
    id: 'TR-AST',
    category: 'protocol threshold',
    title: 'AST above 5 × ULN',
    flags: 'an AST above 5 times the upper limit of normal of that result',
    appliesTo: 'AST results, every disease but autoimmune hepatitis (AIH)',
    severity: 'critical',
    source: 'TRANSREG protocol exclusion threshold (docs/safety-rules.md §1)',
  },
  {
    id: 'TR-CRCL',
    category: 'protocol threshold',
    title: 'Creatinine clearance below 60 mL/min',
    flags: 'a Cockcroft-Gault creatinine clearance below 60 mL/min; its grade is the clearance’s own (below 30: 3, below 15: 4)',
    appliesTo: 'CREAT results, every disease but lupus (SLE) and granulomatosis with polyangiitis (GPA)',
    severity: 'warning',
    severityNote: 'critical when the clearance is grade 3 or more (below 30 mL/min)',
    source: 'TRANSREG protocol exclusion threshold (docs/safety-rules.md §1); grade from CTCAE v5 chronic kidney disease (§2)',
  },
  {
    id: 'CTCAE-LAB',
    category: 'CTCAE grade',
    title: 'Lab result of CTCAE grade 3 or 4',
    flags:
      'a lab result of CTCAE v5 grade 3 or 4 on which no protocol threshold raises an alert of that grade or higher ' +
      '(for creatinine, the higher of its own grade and the grade of its clearance: a grade 2 TR-CRCL does not cover a grade 3 creatinine)',
    appliesTo: 'every gradable result (WBC, LYM, NEUT, PLAT, CD4, HGB, ALT, AST, ALP, BILI, CREAT), every disease: a protocol exception never silences it',
    severity: 'critical',
    source: 'CTCAE v5.0 (docs/safety-rules.md §2)',
  },
  {
    id: 'HY-LAW',
    category: 'liver injury',
    title: "Hy's law: transaminases above 3 × ULN with bilirubin above 2 × ULN",
    flags:
      'ALT or AST above 3 × ULN and total bilirubin above 2 × ULN collected within 7 days of each other, unless ' +
      'alkaline phosphatase measured in that window is 2 × ULN or more; one alert per episode',
    appliesTo: 'ALT, AST, BILI and ALP results, every disease (autoimmune hepatitis included)',
    severity: 'critical',
    source: 'FDA guidance on drug-induced liver injury, 2009 (docs/safety-rules.md §2)',
  },
  {
    id: 'AE-SEVERE',
    category: 'adverse event',
    title: 'Severe adverse event (grade 3 or more), not serious',
    flags: 'a non-serious adverse event of CTCAE grade 3 or 4',
    appliesTo: 'adverse events not marked serious',
    severity: 'warning',
    severityNote: 'critical at grade 4',
    source: 'docs/safety-rules.md §5 (severity is not seriousness)',
  },
  {
    id: 'SAE-24H',
    category: 'expedited reporting',
    title: 'Serious adverse event: report to the sponsor within 24 hours',
    flags: 'a serious adverse event; deadline 24 hours after the investigator became aware of it; closed when the report to the sponsor is recorded',
    appliesTo: 'serious adverse events',
    severity: 'critical',
    source: 'ICH E6 / EU CTR investigator reporting duty (docs/safety-rules.md §5)',
  },
  {
    id: 'SUSAR-7D',
    category: 'expedited reporting',
    title: 'Fatal or life-threatening SUSAR: report to the regulator within 7 days',
    flags:
      'a serious, related (possible, probable, definite), unexpected adverse reaction that is fatal or ' +
      'life-threatening; deadline the end of day 7 from the sponsor’s first knowledge; closed when the regulatory ' +
      'report is recorded',
    appliesTo: 'serious adverse events the sponsor assessed as related and unexpected',
    severity: 'critical',
    source: 'EU CTR 536/2014 art. 42, ICH E2A (docs/safety-rules.md §5)',
  },
  {
    id: 'SUSAR-15D',
    category: 'expedited reporting',
    title: 'SUSAR: report to the regulator within 15 days',
    flags:
      'a serious, related, unexpected adverse reaction that is not fatal or life-threatening; deadline the end of day ' +
      '15 from the sponsor’s first knowledge; closed when the regulatory report is recorded',
    appliesTo: 'serious adverse events the sponsor assessed as related and unexpected',
    severity: 'critical',
    source: 'EU CTR 536/2014 art. 42, ICH E2A (docs/safety-rules.md §5)',
  },
  {
    id: 'DOSE-AMOUNT',
    category: 'dosing',
    title: 'Dose other than the protocol dose',
    flags: 'a dose other than 1 MIU (or in a unit Vigil cannot compare)',
    appliesTo: 'every dose',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-ROUTE',
    category: 'dosing',
    title: 'Dose by another route than subcutaneous',
    flags: 'a dose given by a route other than SC',
    appliesTo: 'every dose',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-INDUCTION-GAP',
    category: 'dosing',
    title: 'Induction not on consecutive days',
    flags: 'an induction dose (Day 2 to Day 5) with no dose on the day before',
    appliesTo: 'induction doses',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-SAME-DAY',
    category: 'dosing',
    title: 'Second dose on one day',
    flags: 'a dose on a calendar day that already had one',
    appliesTo: 'every dose',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-EXTRA-INDUCTION',
    category: 'dosing',
    title: 'Sixth induction dose',
    flags: 'a dose that keeps the daily induction rhythm after Day 5',
    appliesTo: 'doses after Day 5, before maintenance',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-WINDOW',
    category: 'dosing',
    title: 'Maintenance dose outside its window',
    flags:
      'a maintenance dose more than the window (± 2 days by default) from its due day on the fixed grid (Day 15, 29, ' +
      '43, …; SLE Day 15, 22, 29, …), or after maintenance ended',
    appliesTo: 'maintenance doses',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-MISSED',
    category: 'dosing',
    title: 'Due dose not given',
    flags: 'a due dose (induction Day 2–5, or a maintenance due day) whose window closed with no dose, while the patient is on treatment',
    appliesTo: 'the dosing grid of every patient on treatment',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
  {
    id: 'DOSE-DURING-CRITICAL',
    category: 'dosing',
    title: 'Dose given while a critical alert is open',
    flags: 'a dose recorded while the patient has an open (unacknowledged) critical alert, other than one of this rule',
    appliesTo: 'every dose',
    severity: 'critical',
    source: 'docs/safety-rules.md §7',
  },
  {
    id: 'DOSE-AFTER-STOP',
    category: 'dosing',
    title: 'Dose after treatment stopped',
    flags: 'a dose given after the treatment was suspended, discontinued, completed or withdrawn, or after a fatal adverse event',
    appliesTo: 'every dose',
    severity: 'warning',
    source: 'docs/protocol.md "Treatment: one drug, one arm"',
  },
] as const satisfies readonly RuleDefinition[];

export type RuleId = (typeof RULES)[number]['id'];
export const RULE_IDS: readonly RuleId[] = RULES.map((rule) => rule.id);
export const isRuleId = (id: string): id is RuleId => (RULE_IDS as readonly string[]).includes(id);
export const ruleNamed = (id: RuleId): RuleDefinition => RULES.find((rule) => rule.id === id) as RuleDefinition;

/** The severities an alert of `rule` can be raised with: its own, and critical when its note says when it is higher. */
export const severitiesOf = (rule: RuleDefinition): AlertSeverity[] =>
  rule.severityNote && rule.severity !== 'critical' ? [rule.severity, 'critical'] : [rule.severity];
