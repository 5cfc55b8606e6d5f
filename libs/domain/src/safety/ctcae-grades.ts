import type { LabTestCode, ReferenceRange } from '../events';
import { roundSignificant } from '../units/significant';

/**
 * CTCAE v5.0 grades of lab results (docs/safety-rules.md §2), as data. Values are in canonical units
 * (units/lab-tests.ts); multiples are of the result's ULN or of the patient's baseline.
 */
export type CtcaeGrade = 0 | 1 | 2 | 3 | 4;
export type GradeBasis = 'uln' | 'baseline' | 'absolute' | 'lln';

export interface LabGrade {
  /** null when the result cannot be graded (see `ungradableReason`). */
  grade: CtcaeGrade | null;
  /** CTCAE term the grade is for. */
  term?: string;
  /** What the grade was decided against; null only when the test has no CTCAE scale. */
  basis: GradeBasis | null;
  ungradableReason?: string;
}

/**
 * Decreased values: grade 1 is "< LLN" down to the first bound; grades 2, 3, 4 start strictly below
 * each bound (e.g. platelets: grade 2 < 75, grade 3 < 50, grade 4 < 25 × 10⁹/L).
 */
interface DecreasedScale {
  term: string;
  /** Strict upper bounds of grade 2, 3 and 4 (grade 4 absent when it is clinical only). */
  below: readonly number[];
}

export const DECREASED_SCALES: Readonly<Partial<Record<LabTestCode, DecreasedScale>>> = {
  WBC: { term: 'White blood cell decreased', below: [3.0, 2.0, 1.0] },
  LYM: { term: 'Lymphocyte count decreased', below: [0.8, 0.5, 0.2] },
  NEUT: { term: 'Neutrophil count decreased', below: [1.5, 1.0, 0.5] },
  PLAT: { term: 'Platelet count decreased', below: [75, 50, 25] },
  CD4: { term: 'CD4 lymphocytes decreased', below: [0.5, 0.2, 0.05] },
  // Anaemia grade 4 is life-threatening consequences, a clinical judgement: never from the value alone.
  HGB: { term: 'Anemia', below: [100, 80] },
};

/** Lymphocyte count increased: no grade 1; grade 2 > 4.0 – 20.0, grade 3 > 20.0 × 10⁹/L. */
export const LYMPHOCYTE_INCREASED = { term: 'Lymphocyte count increased', above: [4.0, 20.0] } as const;

/**
 * Increased values by multiple: a grade is reached when the multiple is strictly above its bound
 * (grade 1 > 1 × ULN, …). With an abnormal baseline, transaminase grade 1 starts AT 1.5 × baseline.
 */
interface IncreasedScale {
  term: string;
  /** Strict lower bounds of grades 1–4, in multiples of ULN. */
  aboveUln: readonly [number, number, number, number];
  /** Whether the scale depends on the baseline being normal (§2 qualifies the row with "baseline normal"). */
  baselineDependent: boolean;
  /** Grades 1–4 in multiples of baseline when the baseline was abnormal; absent: §2 gives no such row. */
  aboveBaseline?: readonly [number, number, number, number];
}

export const INCREASED_SCALES: Readonly<Partial<Record<LabTestCode, IncreasedScale>>> = {
  ALT: { term: 'Alanine aminotransferase increased', aboveUln: [1, 3, 5, 20], baselineDependent: true, aboveBaseline: [1.5, 3, 5, 20] },
  AST: { term: 'Aspartate aminotransferase increased', aboveUln: [1, 3, 5, 20], baselineDependent: true, aboveBaseline: [1.5, 3, 5, 20] },
  BILI: { term: 'Blood bilirubin increased', aboveUln: [1, 1.5, 3, 10], baselineDependent: true },
  // §2 gives creatinine on the result's ULN alone, whatever the baseline.
  CREAT: { term: 'Creatinine increased', aboveUln: [1, 1.5, 3, 6], baselineDependent: false },
};

export const isGradable = (test: LabTestCode): boolean => test in DECREASED_SCALES || test in INCREASED_SCALES;

/** The patient's baseline value of the test and its reference range (canonical units). */
export interface Baseline {
  value: number;
  referenceRange?: ReferenceRange;
}

/** value / reference, rounded to 10 significant digits so 3.5 / 0.7 is exactly 5. */
export const multipleOf = (value: number, reference: number): number => roundSignificant(value / reference);

/**
 * The CTCAE v5 grade of one result, in canonical units, against the lab's own range and, for increased
 * transaminases, the patient's baseline. Without the limit a grade-1 decision needs, the result is
 * graded from grade 2 down, or null with the reason: a grade is never guessed.
 */
export function gradeLabResult(test: LabTestCode, value: number, range: ReferenceRange | undefined, baseline?: Baseline | null): LabGrade {
  if (test === 'LYM' && value > LYMPHOCYTE_INCREASED.above[0]) {
    return { grade: value > LYMPHOCYTE_INCREASED.above[1] ? 3 : 2, term: LYMPHOCYTE_INCREASED.term, basis: 'absolute' };
  }
  const decreased = DECREASED_SCALES[test];
  if (decreased) return gradeDecreased(decreased, value, range?.low);
  const increased = INCREASED_SCALES[test];
  if (increased) return gradeIncreased(increased, value, range?.high, baseline ?? null);
  return { grade: null, basis: null, ungradableReason: `no CTCAE v5 scale for ${test} in docs/safety-rules.md §2` };
}

function gradeDecreased(scale: DecreasedScale, value: number, lln: number | undefined): LabGrade {
  const below = scale.below.filter((bound) => value < bound).length;
  if (below > 0) return { grade: (1 + below) as CtcaeGrade, term: scale.term, basis: 'absolute' };
  if (lln === undefined) {
    return { grade: null, term: scale.term, basis: 'lln', ungradableReason: 'no lower limit of normal (LLN): grade 0 and grade 1 cannot be told apart' };
  }
  return { grade: value < lln ? 1 : 0, term: scale.term, basis: 'lln' };
}

function gradeIncreased(scale: IncreasedScale, value: number, uln: number | undefined, baselineGiven: Baseline | null): LabGrade {
  const baseline = scale.baselineDependent ? baselineGiven : null;
  // The baseline's own ULN says whether it was abnormal; the result's ULN stands in when it has none.
  const baselineUln = baseline?.referenceRange?.high ?? uln;
  if (baseline && baselineUln === undefined) {
    return { grade: null, term: scale.term, basis: 'baseline', ungradableReason: 'no ULN: cannot tell whether the baseline was normal' };
  }
  const baselineAbnormal = baseline !== null && baselineUln !== undefined && baseline.value > baselineUln;
  if (baselineAbnormal) {
    if (!scale.aboveBaseline) {
      return {
        grade: null,
        term: scale.term,
        basis: 'baseline',
        ungradableReason: 'abnormal baseline: docs/safety-rules.md §2 gives this scale for a normal baseline only',
      };
    }
    if (baseline.value === 0) return { grade: 0, term: scale.term, basis: 'baseline' };
    const m = multipleOf(value, baseline.value);
    const [g1, g2, g3, g4] = scale.aboveBaseline;
    // Grade 1 is "1.5 – 3.0 × baseline": 1.5 itself is grade 1; between baseline and 1.5 × it, grade 0.
    const grade: CtcaeGrade = m > g4 ? 4 : m > g3 ? 3 : m > g2 ? 2 : m >= g1 ? 1 : 0;
    return { grade, term: scale.term, basis: 'baseline' };
  }
  if (uln === undefined || uln === 0) {
    return { grade: null, term: scale.term, basis: 'uln', ungradableReason: 'no upper limit of normal (ULN) with the result' };
  }
  const m = multipleOf(value, uln);
  const grade = scale.aboveUln.filter((bound) => m > bound).length as CtcaeGrade;
  return { grade, term: scale.term, basis: 'uln' };
}
