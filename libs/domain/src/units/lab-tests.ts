import type { LabTestCode } from '../events';

/**
 * The lab tests Vigil knows, as data. Each row: the canonical unit (what every rule compares in),
 * the UCUM units accepted from labs with the exact factor to the canonical unit
 * (canonical = reported × factor), and the highest physiologically possible value.
 *
 * Upper bounds are deliberately generous: they exist to refuse a value keyed in the wrong unit
 * (79 000 platelets "×10⁹/L" instead of "/mm³"), never to refuse a real extreme.
 * - counts: platelets 5 000 × 10⁹/L (docs/safety-rules.md §3); WBC, lymphocytes, neutrophils, eosinophils and
 *   CD4 1 000 × 10⁹/L (hyperleukocytosis in leukaemia stays well below);
 * - haemoglobin 300 g/L (severe polycythaemia stays below 250);
 * - ALT / AST 100 000 U/L (acute liver failure reaches tens of thousands);
 * - bilirubin 2 000 µmol/L; creatinine 10 000 µmol/L; CRP 1 000 mg/L (reported maxima ≈ 1 000, ≈ 4 000, ≈ 600);
 * - Treg % of CD4+ 100 % (a percentage).
 */
export interface LabTest {
  readonly code: LabTestCode;
  readonly name: string;
  /** LOINC code (docs/safety-rules.md §4); null when LOINC has none we use. */
  readonly loinc: string | null;
  /** Other LOINC codes for the same measure (e.g. creatinine mass vs molar). */
  readonly otherLoinc: readonly string[];
  /** Local code for exchange when there is no LOINC code. */
  readonly localCode?: string;
  readonly canonicalUnit: string;
  /** Accepted UCUM unit → factor to the canonical unit. */
  readonly units: Readonly<Record<string, number>>;
  /** Highest physiologically possible value, in the canonical unit (inclusive). */
  readonly maxCanonical: number;
}

// docs/safety-rules.md §3: 10*9/L = 10*3/uL = 10*3/mm3; /mm3 and /uL are cells per µL, ÷ 1 000 for 10⁹/L.
// `G/L` (giga per litre) is how French lab reports write 10⁹/L: not UCUM, accepted because it is unambiguous.
const COUNT_UNITS = { '10*9/L': 1, '10*3/uL': 1, '10*3/mm3': 1, '/mm3': 0.001, '/uL': 0.001, 'G/L': 1 } as const;
const COUNT = '10*9/L';

const row = (
  code: LabTestCode,
  name: string,
  loinc: string | null,
  canonicalUnit: string,
  units: Record<string, number>,
  maxCanonical: number,
  extra: { otherLoinc?: string[]; localCode?: string } = {},
): LabTest => ({ code, name, loinc, otherLoinc: extra.otherLoinc ?? [], localCode: extra.localCode, canonicalUnit, units, maxCanonical });

export const LAB_TESTS: Readonly<Record<LabTestCode, LabTest>> = {
  WBC: row('WBC', 'white blood cells', '6690-2', COUNT, COUNT_UNITS, 1000),
  LYM: row('LYM', 'lymphocytes', '731-0', COUNT, COUNT_UNITS, 1000),
  NEUT: row('NEUT', 'neutrophils', '751-8', COUNT, COUNT_UNITS, 1000),
  EOS: row('EOS', 'eosinophils', '711-2', COUNT, COUNT_UNITS, 1000),
  PLAT: row('PLAT', 'platelets', '777-3', COUNT, COUNT_UNITS, 5000), // docs/safety-rules.md §3
  // docs/safety-rules.md §4 gives no LOINC code for CD4: a local code until the sponsor picks one.
  CD4: row('CD4', 'CD4+ lymphocytes', null, COUNT, COUNT_UNITS, 1000, { localCode: 'VIGIL-CD4' }),
  // §3: g/dL × 10 = g/L; 1 mmol/L (of the haem monomer) = 16.11 g/L.
  HGB: row('HGB', 'haemoglobin', '718-7', 'g/L', { 'g/L': 1, 'g/dL': 10, 'mmol/L': 16.11 }, 300),
  ALT: row('ALT', 'alanine aminotransferase', '1742-6', 'U/L', { 'U/L': 1, '[IU]/L': 1 }, 100_000),
  AST: row('AST', 'aspartate aminotransferase', '1920-8', 'U/L', { 'U/L': 1, '[IU]/L': 1 }, 100_000),
  ALP: row('ALP', 'alkaline phosphatase', '6768-6', 'U/L', { 'U/L': 1, '[IU]/L': 1 }, 100_000),
  BILI: row('BILI', 'total bilirubin', '1975-2', 'umol/L', { 'umol/L': 1, 'mg/dL': 17.1 }, 2000),
  // docs/safety-rules.md §3 and §4: mg/dL × 88.4 = µmol/L; 14682-9 is the molar code, 2160-0 the mass code.
  CREAT: row('CREAT', 'creatinine', '14682-9', 'umol/L', { 'umol/L': 1, 'mg/dL': 88.4 }, 10_000, { otherLoinc: ['2160-0'] }),
  CRP: row('CRP', 'C-reactive protein', '1988-5', 'mg/L', { 'mg/L': 1, 'mg/dL': 10 }, 1000),
  // docs/safety-rules.md §4: Treg % of CD4+ has no LOINC code.
  TREG_PCT: row('TREG_PCT', 'regulatory T cells, % of CD4+', null, '%', { '%': 1 }, 100, { localCode: 'VIGIL-TREG-PCT' }),
};

export const LAB_TEST_CODES = Object.keys(LAB_TESTS) as LabTestCode[];

/** Each LOINC code Vigil knows (docs/safety-rules.md §4), to the CDISC test code it stands for. */
const BY_LOINC: ReadonlyMap<string, LabTestCode> = new Map(
  Object.values(LAB_TESTS).flatMap((test) => [...(test.loinc ? [test.loinc] : []), ...test.otherLoinc].map((loinc) => [loinc, test.code] as const)),
);

/** A test named by its CDISC code or a LOINC code: the CDISC code and the LOINC code to record (the one reported, if it was one). */
export function resolveLabTest(code: string): { test: LabTestCode; loinc: string | null } | undefined {
  if (isLabTestCode(code)) return { test: code, loinc: LAB_TESTS[code].loinc };
  const test = BY_LOINC.get(code);
  return test ? { test, loinc: code } : undefined;
}

export const isLabTestCode = (code: string): code is LabTestCode => Object.prototype.hasOwnProperty.call(LAB_TESTS, code);

/** Units accepted for a test, canonical first. An unknown test has none. */
export const acceptedUnits = (test: string): string[] => (isLabTestCode(test) ? Object.keys(LAB_TESTS[test].units) : []);

export const canonicalUnit = (test: LabTestCode): string => LAB_TESTS[test].canonicalUnit;
