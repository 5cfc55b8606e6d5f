import type { LabTestCode, ReferenceRange } from '../events';
import { roundSignificant } from '../units/significant';

/**
 * CTCAE v5.0 grades of lab results (docs/safety-rules.md §2), as data. Values are in canonical units
 * (units/lab-tests.ts); multiples are of the result's ULN or of the patient's baseline.
 */
export type CtcaeGrade = 0 | 1 | 2 | 3 | 4;
export type GradeBasis = 'uln' | 'baseline' | 'absolute' | 'lln' | 'clearance';

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

/** Bounds of grades 1–4 in multiples; a grade is reached strictly above its bound, or at it when `fromFirstBound`. */
interface Multiples {
  bounds: readonly [number, number, number, number];
  /** Grade 1 is reached AT its bound ("1.5 – 3.0 × baseline": 1.5 itself is grade 1). */
  gradeOneInclusive?: boolean;
}

/**
 * Increased values by multiple (docs/safety-rules.md §2): of the result's ULN when the patient's baseline was
 * normal (or is unknown), of the baseline when it was abnormal. Creatinine is graded on both readings
 * whatever the baseline, and the higher grade decides.
 */
interface IncreasedScale {
  term: string;
  aboveUln: Multiples;
  /** Grades on multiples of an abnormal baseline. */
  aboveAbnormalBaseline?: Multiples;
  /** Creatinine: grades 2 and 3 also on multiples of the baseline, normal or not (> 1.5, > 3.0 × baseline). */
  aboveAnyBaseline?: { grade2: number; grade3: number };
}

export const INCREASED_SCALES: Readonly<Partial<Record<LabTestCode, IncreasedScale>>> = {
  ALT: {
    term: 'Alanine aminotransferase increased',
    aboveUln: { bounds: [1, 3, 5, 20] },
    aboveAbnormalBaseline: { bounds: [1.5, 3, 5, 20], gradeOneInclusive: true },
  },
  AST: {
    term: 'Aspartate aminotransferase increased',
    aboveUln: { bounds: [1, 3, 5, 20] },
    aboveAbnormalBaseline: { bounds: [1.5, 3, 5, 20], gradeOneInclusive: true },
  },
  ALP: {
    term: 'Alkaline phosphatase increased',
    aboveUln: { bounds: [1, 2.5, 5, 20] },
    aboveAbnormalBaseline: { bounds: [2, 2.5, 5, 20], gradeOneInclusive: true },
  },
  BILI: { term: 'Blood bilirubin increased', aboveUln: { bounds: [1, 1.5, 3, 10] }, aboveAbnormalBaseline: { bounds: [1, 1.5, 3, 10] } },
  CREAT: { term: 'Creatinine increased', aboveUln: { bounds: [1, 1.5, 3, 6] }, aboveAnyBaseline: { grade2: 1.5, grade3: 3 } },
};

/**
 * Kidney function graded on the creatinine clearance (CTCAE v5 "chronic kidney disease", docs/safety-rules.md §2):
 * grade 2 below 60, grade 3 below 30, grade 4 below 15 mL/min.
 */
export const CLEARANCE_SCALE = { term: 'Chronic kidney disease (creatinine clearance)', below: [60, 30, 15] } as const;

export function gradeClearance(clearanceMlMin: number): LabGrade {
  const below = CLEARANCE_SCALE.below.filter((bound) => clearanceMlMin < bound).length;
  if (below === 0) {
    return { grade: null, term: CLEARANCE_SCALE.term, basis: 'clearance', ungradableReason: 'grade 1 needs the lower limit of normal of the clearance' };
  }
  return { grade: (1 + below) as CtcaeGrade, term: CLEARANCE_SCALE.term, basis: 'clearance' };
}

export const isGradable = (test: LabTestCode): boolean => test in DECREASED_SCALES || test in INCREASED_SCALES;

/** The patient's baseline value of the test and its reference range (canonical units). */
export interface Baseline {
  value: number;
  referenceRange?: ReferenceRange;
}

/** value / reference, rounded to 10 significant digits so 3.5 / 0.7 is exactly 5. */
export const multipleOf = (value: number, reference: number): number => roundSignificant(value / reference);

/**
 * The CTCAE v5 grade of one result, in canonical units, against the lab's own range and the patient's
 * baseline. Without the limit a grade-1 decision needs, the result is graded from grade 2 down, or null
 * with the reason: a grade is never guessed.
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

function gradeOn(m: number, { bounds, gradeOneInclusive }: Multiples): CtcaeGrade {
  const [g1, g2, g3, g4] = bounds;
  if (m > g4) return 4;
  if (m > g3) return 3;
  if (m > g2) return 2;
  return (gradeOneInclusive ? m >= g1 : m > g1) ? 1 : 0;
}

function gradeIncreased(scale: IncreasedScale, value: number, uln: number | undefined, baseline: Baseline | null): LabGrade {
  if (scale.aboveAnyBaseline) return gradeCreatinine(scale, value, uln, baseline);
  // The baseline's own ULN says whether it was abnormal; the result's ULN stands in when it has none.
  const baselineUln = baseline?.referenceRange?.high ?? uln;
  if (baseline && baselineUln === undefined) {
    return { grade: null, term: scale.term, basis: 'baseline', ungradableReason: 'no ULN: cannot tell whether the baseline was normal' };
  }
  const abnormal = baseline !== null && baselineUln !== undefined && baseline.value > baselineUln;
  if (abnormal && scale.aboveAbnormalBaseline) {
    if (baseline.value === 0) return { grade: 0, term: scale.term, basis: 'baseline' };
    return { grade: gradeOn(multipleOf(value, baseline.value), scale.aboveAbnormalBaseline), term: scale.term, basis: 'baseline' };
  }
  if (uln === undefined || uln === 0) {
    return { grade: null, term: scale.term, basis: 'uln', ungradableReason: 'no upper limit of normal (ULN) with the result' };
  }
  return { grade: gradeOn(multipleOf(value, uln), scale.aboveUln), term: scale.term, basis: 'uln' };
}

/** Creatinine: "the higher of the two readings decides" — multiples of ULN, and (grades 2, 3) of the baseline. */
function gradeCreatinine(scale: IncreasedScale, value: number, uln: number | undefined, baseline: Baseline | null): LabGrade {
  const any = scale.aboveAnyBaseline as { grade2: number; grade3: number };
  const onUln = uln !== undefined && uln > 0 ? gradeOn(multipleOf(value, uln), scale.aboveUln) : null;
  let onBaseline: CtcaeGrade | null = null;
  if (baseline !== null && baseline.value > 0) {
    const m = multipleOf(value, baseline.value);
    onBaseline = m > any.grade3 ? 3 : m > any.grade2 ? 2 : 0;
  }
  if (onUln === null && (onBaseline === null || onBaseline < 2)) {
    // Without the ULN, grade 1 (> ULN) can be neither shown nor ruled out.
    return { grade: null, term: scale.term, basis: 'uln', ungradableReason: 'no upper limit of normal (ULN) with the result' };
  }
  if (onBaseline !== null && (onUln === null || onBaseline > onUln)) return { grade: onBaseline, term: scale.term, basis: 'baseline' };
  return { grade: onUln as CtcaeGrade, term: scale.term, basis: 'uln' };
}

/**
 * The value at which a result reaches `grade` on the scale its grade was decided on, in the test's canonical
 * unit: what an alert shows as its threshold (neutrophils grade 4: < 0.5 × 10⁹/L; ALT grade 3 on a ULN of 40:
 * > 200 U/L). Null when the basis gives no bound in the test's unit.
 */
export function gradeBoundary(
  test: LabTestCode,
  grade: LabGrade,
  reached: CtcaeGrade,
  range: ReferenceRange | undefined,
  baseline: Baseline | null,
): { threshold: number; comparison: '<' | '>' } | null {
  if (reached < 2) return null;
  if (grade.term === LYMPHOCYTE_INCREASED.term) return { threshold: LYMPHOCYTE_INCREASED.above[reached - 2], comparison: '>' };
  const decreased = DECREASED_SCALES[test];
  if (decreased && grade.basis === 'absolute') {
    const bound = decreased.below[reached - 2];
    return bound === undefined ? null : { threshold: bound, comparison: '<' };
  }
  const increased = INCREASED_SCALES[test];
  if (!increased) return null;
  if (grade.basis === 'uln' && range?.high !== undefined) {
    return { threshold: roundSignificant(increased.aboveUln.bounds[reached - 1] * range.high), comparison: '>' };
  }
  if (grade.basis === 'baseline' && baseline) {
    const multiples = increased.aboveAnyBaseline
      ? reached === 2
        ? increased.aboveAnyBaseline.grade2
        : increased.aboveAnyBaseline.grade3
      : increased.aboveAbnormalBaseline?.bounds[reached - 1];
    return multiples === undefined ? null : { threshold: roundSignificant(multiples * baseline.value), comparison: '>' };
  }
  return null;
}
