import type { AlertSeverity, DiseaseCode, LabTestCode } from '../events';
import type { RuleId } from './rule-catalogue';

/** The protocol thresholds of the rule catalogue (rule-catalogue.ts). */
export type LabRuleId = Extract<RuleId, `TR-${string}`>;

/**
 * One protocol threshold (docs/safety-rules.md §1). Adding a rule is adding a row.
 * `measure` says what is compared: the result in its canonical unit, its multiple of the result's own
 * ULN, or the Cockcroft-Gault creatinine clearance computed from it.
 */
export interface LabSafetyRule {
  ruleId: LabRuleId;
  test: LabTestCode;
  measure: 'value' | 'ulnMultiple' | 'creatinineClearance';
  /** Strict: "< 80" does not flag exactly 80 (docs/safety-rules.md §1). */
  comparison: '<' | '>';
  threshold: number;
  thresholdUnit: string;
  /** Diseases the rule does not apply to. */
  notFor: readonly DiseaseCode[];
  /**
   * Severity of a hit. A hit on a result of CTCAE grade 3 or more is critical whatever the row says:
   * WBC < 2.0 and ALT/AST > 5 × ULN sit at the grade 3 boundary (§2), so they are critical rows; the
   * lymphocyte, platelet and clearance thresholds sit lower on the scale and start as warnings.
   */
  severity: AlertSeverity;
  label: string;
}

export const TRANSREG_LAB_RULES: readonly LabSafetyRule[] = [
  {
    ruleId: 'TR-WBC',
    test: 'WBC',
    measure: 'value',
    comparison: '<',
    threshold: 2.0,
    thresholdUnit: '10*9/L',
    notFor: [],
    severity: 'critical',
    label: 'White blood cells',
  },
  {
    ruleId: 'TR-LYM',
    test: 'LYM',
    measure: 'value',
    comparison: '<',
    threshold: 0.6,
    thresholdUnit: '10*9/L',
    notFor: [],
    severity: 'warning',
    label: 'Lymphocytes',
  },
  {
    ruleId: 'TR-PLT',
    test: 'PLAT',
    measure: 'value',
    comparison: '<',
    threshold: 80,
    thresholdUnit: '10*9/L',
    notFor: [],
    severity: 'warning',
    label: 'Platelets',
  },
  {
    ruleId: 'TR-ALT',
    test: 'ALT',
    measure: 'ulnMultiple',
    comparison: '>',
    threshold: 5,
    thresholdUnit: '×ULN',
    notFor: ['AIH'],
    severity: 'critical',
    label: 'ALT',
  },
  {
    ruleId: 'TR-AST',
    test: 'AST',
    measure: 'ulnMultiple',
    comparison: '>',
    threshold: 5,
    thresholdUnit: '×ULN',
    notFor: ['AIH'],
    severity: 'critical',
    label: 'AST',
  },
  {
    ruleId: 'TR-CRCL',
    test: 'CREAT',
    measure: 'creatinineClearance',
    comparison: '<',
    threshold: 60,
    thresholdUnit: 'mL/min',
    notFor: ['SLE', 'GPA'],
    severity: 'warning',
    label: 'Creatinine clearance (Cockcroft-Gault)',
  },
];

export const crosses = (value: number, comparison: '<' | '>', threshold: number): boolean => (comparison === '<' ? value < threshold : value > threshold);
