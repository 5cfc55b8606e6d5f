/**
 * What docs/safety-rules.md §1–§3 say a lab result should alert, written out from the tables themselves, for
 * property tests to hold the rule code to. It shares nothing with safety/: thresholds are written inline
 * as the tables give them, comparisons as "value > k × reference" (never through the code's multiples), and
 * the baseline is found by scanning every result.
 */
import type { LabResultRecordedData } from '../events';
import type { LabEntry, PatientState } from '../patient/patient-state';

export interface ExpectedLabAlert {
  ruleId: string;
  grade: number | null;
  severity: 'warning' | 'critical';
}

const ms = (iso: string) => Date.parse(iso);

/** §2: the last value of the test on or before the first dose (or, before any dose, the result), other than the result itself. */
function baselineOf(state: PatientState, labId: string, lab: LabResultRecordedData): { value: number; high?: number } | null {
  const doses = Object.values(state.doses).filter((d) => !d.voided);
  const firstDose = doses.reduce<number | null>((first, d) => {
    const t = ms(d.current.administeredAt);
    return first === null || t < first ? t : first;
  }, null);
  const cutoff = firstDose ?? ms(lab.collectedAt);
  let best: LabEntry | null = null;
  for (const entry of Object.values(state.labs)) {
    if (entry.voided || entry.eventId === labId || entry.current.test !== lab.test) continue;
    const t = ms(entry.current.collectedAt);
    if (t > cutoff) continue;
    const bestT = best ? ms(best.current.collectedAt) : -Infinity;
    if (!best || t > bestT || (t === bestT && entry.recordedSeq > best.recordedSeq)) best = entry;
  }
  return best ? { value: best.current.normalised.value, high: best.current.normalised.referenceRange?.high } : null;
}

/** §2, decreased counts: grade 1 needs the LLN; grades 2–4 strictly below the bounds. */
function decreased(v: number, lln: number | undefined, bounds: number[]): number | null {
  if (bounds[2] !== undefined && v < bounds[2]) return 4;
  if (v < bounds[1]) return 3;
  if (v < bounds[0]) return 2;
  if (lln === undefined) return null;
  return v < lln ? 1 : 0;
}

/** §2, a table of "> k × reference" rows (grade 1 from `first`, inclusive when `atFirst`). */
function increased(v: number, reference: number, first: number, rows: [number, number, number], atFirst = false): number {
  if (v > rows[2] * reference) return 4;
  if (v > rows[1] * reference) return 3;
  if (v > rows[0] * reference) return 2;
  return (atFirst ? v >= first * reference : v > first * reference) ? 1 : 0;
}

/** §2 and §3: the CTCAE grade of one result, as the tables read. */
export function oracleGrade(lab: LabResultRecordedData, baseline: { value: number; high?: number } | null): number | null {
  const v = lab.normalised.value;
  const low = lab.normalised.referenceRange?.low;
  const uln = lab.normalised.referenceRange?.high;
  switch (lab.test) {
    case 'WBC':
      return decreased(v, low, [3.0, 2.0, 1.0]);
    case 'LYM':
      if (v > 20) return 3;
      if (v > 4) return 2;
      return decreased(v, low, [0.8, 0.5, 0.2]);
    case 'NEUT':
      return decreased(v, low, [1.5, 1.0, 0.5]);
    case 'PLAT':
      return decreased(v, low, [75, 50, 25]);
    case 'CD4':
      return decreased(v, low, [0.5, 0.2, 0.05]);
    case 'HGB':
      if (v < 80) return 3;
      if (v < 100) return 2;
      return low === undefined ? null : v < low ? 1 : 0;
    case 'ALT':
    case 'AST':
    case 'ALP':
    case 'BILI': {
      const baselineUln = baseline?.high ?? uln;
      if (baseline && baselineUln === undefined) return null;
      const abnormal = baseline !== null && baselineUln !== undefined && baseline.value > baselineUln;
      if (abnormal) {
        if (baseline.value === 0) return 0;
        if (lab.test === 'BILI') return increased(v, baseline.value, 1, [1.5, 3, 10]);
        if (lab.test === 'ALP') return increased(v, baseline.value, 2, [2.5, 5, 20], true);
        return increased(v, baseline.value, 1.5, [3, 5, 20], true);
      }
      if (uln === undefined || uln === 0) return null;
      if (lab.test === 'BILI') return increased(v, uln, 1, [1.5, 3, 10]);
      if (lab.test === 'ALP') return increased(v, uln, 1, [2.5, 5, 20]);
      return increased(v, uln, 1, [3, 5, 20]);
    }
    case 'CREAT': {
      const onUln = uln !== undefined && uln > 0 ? increased(v, uln, 1, [1.5, 3, 6]) : null;
      const onBaseline = baseline && baseline.value > 0 ? (v > 3 * baseline.value ? 3 : v > 1.5 * baseline.value ? 2 : 0) : null;
      if (onUln === null && (onBaseline === null || onBaseline < 2)) return null;
      return Math.max(onUln ?? 0, onBaseline ?? 0);
    }
    default:
      return null;
  }
}

/** §3: Cockcroft-Gault in SI units; §2: kidney function grade 2 below 60, 3 below 30, 4 below 15 mL/min. */
function clearance(state: PatientState, lab: LabResultRecordedData): { ml: number; grade: number | null } | null {
  const d = state.demographics;
  const creatinine = lab.normalised.value;
  if (!d || !(creatinine > 0)) return null;
  const age = new Date(lab.collectedAt).getUTCFullYear() - d.birthYear;
  if (age >= 140) return null;
  const ml = (((140 - age) * d.weightKg) / (0.814 * creatinine)) * (d.sex === 'F' ? 0.85 : 1);
  return { ml, grade: ml < 15 ? 4 : ml < 30 ? 3 : ml < 60 ? 2 : null };
}

/**
 * §1 and §2: the alerts one result should raise: protocol thresholds, and CTCAE-LAB at grade 3 or 4 (creatinine:
 * the higher of its grade and the clearance's) unless a protocol alert on the result already shows that grade or more.
 */
export function expectedLabAlerts(state: PatientState, labId: string): ExpectedLabAlert[] {
  const entry = state.labs[labId];
  if (!entry || entry.voided) return [];
  const lab = entry.current;
  const grade = oracleGrade(lab, baselineOf(state, labId, lab));
  const v = lab.normalised.value;
  const uln = lab.normalised.referenceRange?.high;
  const disease = state.disease;
  const crcl = lab.test === 'CREAT' ? clearance(state, lab) : null;
  const alerts: ExpectedLabAlert[] = [];
  const threshold = (ruleId: string, crossed: boolean, critical: boolean, shownGrade: number | null) => {
    if (crossed) alerts.push({ ruleId, grade: shownGrade, severity: critical || (shownGrade !== null && shownGrade >= 3) ? 'critical' : 'warning' });
  };
  if (lab.test === 'WBC') threshold('TR-WBC', v < 2.0, true, grade);
  if (lab.test === 'LYM') threshold('TR-LYM', v < 0.6, false, grade);
  if (lab.test === 'PLAT') threshold('TR-PLT', v < 80, false, grade);
  if ((lab.test === 'ALT' || lab.test === 'AST') && disease !== 'AIH' && uln !== undefined && uln > 0) threshold(`TR-${lab.test}`, v > 5 * uln, true, grade);
  if (lab.test === 'CREAT' && disease !== 'SLE' && disease !== 'GPA' && crcl) threshold('TR-CRCL', crcl.ml < 60, false, crcl.grade);
  const worst = Math.max(grade ?? -1, crcl?.grade ?? -1);
  const shownAlready = alerts.some((alert) => alert.grade !== null && alert.grade >= worst);
  if (worst >= 3 && !shownAlready) alerts.push({ ruleId: 'CTCAE-LAB', grade: worst, severity: 'critical' });
  return alerts;
}
