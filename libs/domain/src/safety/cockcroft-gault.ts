import type { Sex } from '../events';
import { roundSignificant } from '../units/significant';

export interface CockcroftGaultInput {
  ageYears: number;
  weightKg: number;
  sex: Sex;
  /** Serum creatinine in µmol/L (the canonical unit). */
  creatinineUmolL: number;
}

/**
 * Creatinine clearance in mL/min, Cockcroft-Gault in SI units (docs/safety-rules.md §3):
 * (140 − age) × weight / (0.814 × creatinine µmol/L), × 0.85 for women.
 * Returns null when the formula gives no meaning (creatinine 0, age 140 or more).
 */
export function creatinineClearance({ ageYears, weightKg, sex, creatinineUmolL }: CockcroftGaultInput): number | null {
  if (!(creatinineUmolL > 0) || ageYears >= 140 || !(weightKg > 0)) return null;
  const clearance = ((140 - ageYears) * weightKg) / (0.814 * creatinineUmolL);
  return roundSignificant(sex === 'F' ? clearance * 0.85 : clearance);
}
