import { gradeClearance, gradeLabResult } from './ctcae-grades';

const g = (...args: Parameters<typeof gradeLabResult>) => gradeLabResult(...args).grade;

describe('CTCAE v5 decreased counts, docs/safety-rules.md §2', () => {
  // [test, LLN, grade-2 bound, grade-3 bound, grade-4 bound]
  it.each([
    ['WBC', 4.0, 3.0, 2.0, 1.0],
    ['LYM', 1.0, 0.8, 0.5, 0.2],
    ['NEUT', 1.8, 1.5, 1.0, 0.5],
    ['PLAT', 150, 75, 50, 25],
    ['CD4', 0.6, 0.5, 0.2, 0.05],
  ] as const)('grades %s at, just below and just above each bound', (test, lln, b2, b3, b4) => {
    const range = { low: lln, high: 1000 };
    expect(g(test, lln, range)).toBe(0);
    expect(g(test, lln * 0.999, range)).toBe(1);
    expect(g(test, b2, range)).toBe(1);
    expect(g(test, b2 * 0.999, range)).toBe(2);
    expect(g(test, b3, range)).toBe(2);
    expect(g(test, b3 * 0.999, range)).toBe(3);
    expect(g(test, b4, range)).toBe(3);
    expect(g(test, b4 * 0.999, range)).toBe(4);
    expect(g(test, 0, range)).toBe(4);
  });

  it('grades platelets from grade 2 down without an LLN, and calls a higher value ungradable', () => {
    expect(gradeLabResult('PLAT', 74.9, undefined)).toEqual({ grade: 2, term: 'Platelet count decreased', basis: 'absolute' });
    expect(gradeLabResult('PLAT', 75, undefined)).toMatchObject({ grade: null, basis: 'lln', ungradableReason: expect.stringContaining('LLN') });
    expect(gradeLabResult('PLAT', 79, { high: 400 })).toMatchObject({ grade: null });
  });

  it('grades anaemia on haemoglobin up to grade 3: grade 4 is a clinical judgement', () => {
    const range = { low: 120 };
    expect(g('HGB', 120, range)).toBe(0);
    expect(g('HGB', 119, range)).toBe(1);
    expect(g('HGB', 100, range)).toBe(1);
    expect(g('HGB', 99.9, range)).toBe(2);
    expect(g('HGB', 80, range)).toBe(2);
    expect(g('HGB', 79.9, range)).toBe(3);
    expect(g('HGB', 30, range)).toBe(3);
    expect(gradeLabResult('HGB', 79, range).term).toBe('Anemia');
  });
});

describe('CTCAE v5 lymphocyte count increased, docs/safety-rules.md §2', () => {
  it('has no grade 1: > 4.0 is grade 2, > 20.0 is grade 3', () => {
    expect(gradeLabResult('LYM', 4.0, { low: 1, high: 4 })).toMatchObject({ grade: 0, term: 'Lymphocyte count decreased' });
    expect(gradeLabResult('LYM', 4.01, undefined)).toEqual({ grade: 2, term: 'Lymphocyte count increased', basis: 'absolute' });
    expect(g('LYM', 20, undefined)).toBe(2);
    expect(g('LYM', 20.01, undefined)).toBe(3);
  });
});

describe('CTCAE v5 transaminases, docs/safety-rules.md §2', () => {
  const uln = { high: 40 };
  it.each(['ALT', 'AST'] as const)('grades %s with a normal baseline on multiples of ULN', (test) => {
    const normal = { value: 30, referenceRange: uln };
    expect(g(test, 40, uln, normal)).toBe(0);
    expect(g(test, 40.1, uln, normal)).toBe(1);
    expect(g(test, 120, uln, normal)).toBe(1);
    expect(g(test, 120.1, uln, normal)).toBe(2);
    expect(g(test, 200, uln, normal)).toBe(2);
    expect(g(test, 200.1, uln, normal)).toBe(3);
    expect(g(test, 800, uln, normal)).toBe(3);
    expect(g(test, 800.1, uln, normal)).toBe(4);
    expect(gradeLabResult(test, 200.1, uln, normal).basis).toBe('uln');
  });

  it.each(['ALT', 'AST'] as const)('grades %s with an abnormal baseline on multiples of the baseline', (test) => {
    const abnormal = { value: 100, referenceRange: uln };
    expect(g(test, 100, uln, abnormal)).toBe(0);
    expect(g(test, 149.9, uln, abnormal)).toBe(0);
    expect(g(test, 150, uln, abnormal)).toBe(1);
    expect(g(test, 300, uln, abnormal)).toBe(1);
    expect(g(test, 300.1, uln, abnormal)).toBe(2);
    expect(g(test, 500, uln, abnormal)).toBe(2);
    expect(g(test, 500.1, uln, abnormal)).toBe(3);
    expect(g(test, 2000, uln, abnormal)).toBe(3);
    expect(g(test, 2000.1, uln, abnormal)).toBe(4);
    expect(gradeLabResult(test, 150, uln, abnormal).basis).toBe('baseline');
  });

  it('grades an ALT between an abnormal baseline and 1.5 × baseline as grade 0, though above ULN', () => {
    expect(gradeLabResult('ALT', 140, uln, { value: 100, referenceRange: uln })).toMatchObject({ grade: 0, basis: 'baseline' });
  });

  it('judges the baseline against its own ULN, or the result’s when the baseline has none', () => {
    expect(g('ALT', 140, { high: 40 }, { value: 50, referenceRange: { high: 60 } })).toBe(2); // baseline normal: 3.5 × ULN
    expect(g('ALT', 140, { high: 40 }, { value: 50 })).toBe(1); // baseline abnormal against the result's 40: 2.8 × baseline
    expect(g('ALT', 70, { high: 40 }, { value: 50 })).toBe(0); // 1.4 × an abnormal baseline
  });

  it('grades on the ULN when there is no baseline, and calls a result without ULN ungradable', () => {
    expect(g('ALT', 201, uln, null)).toBe(3);
    expect(gradeLabResult('ALT', 201, undefined, null)).toMatchObject({ grade: null, ungradableReason: expect.stringContaining('ULN') });
  });
});

describe('CTCAE v5 bilirubin and creatinine, docs/safety-rules.md §2', () => {
  it('grades bilirubin with a normal baseline on multiples of ULN', () => {
    const uln = { high: 20 };
    expect(g('BILI', 20, uln)).toBe(0);
    expect(g('BILI', 20.1, uln)).toBe(1);
    expect(g('BILI', 30, uln)).toBe(1);
    expect(g('BILI', 30.1, uln)).toBe(2);
    expect(g('BILI', 60, uln)).toBe(2);
    expect(g('BILI', 60.1, uln)).toBe(3);
    expect(g('BILI', 200, uln)).toBe(3);
    expect(g('BILI', 200.1, uln)).toBe(4);
  });

  it('grades bilirubin after an abnormal baseline on multiples of the baseline (issue 11, defect 3: CTCAE v5 has that row)', () => {
    const abnormal = { value: 40, referenceRange: { high: 20 } };
    const b = (value: number) => gradeLabResult('BILI', value, { high: 20 }, abnormal);
    expect(b(40)).toMatchObject({ grade: 0, basis: 'baseline' });
    expect(b(40.1)).toMatchObject({ grade: 1, basis: 'baseline' });
    expect(b(60).grade).toBe(1);
    expect(b(60.1).grade).toBe(2);
    expect(b(120).grade).toBe(2);
    expect(b(120.1).grade).toBe(3);
    expect(b(400).grade).toBe(3);
    expect(b(400.1).grade).toBe(4);
  });

  it('grades creatinine against its baseline too, the higher reading deciding (issue 11, defect 3)', () => {
    // Baseline 60 µmol/L, ULN 104, value 190: 1.83 × ULN is grade 2, 3.17 × baseline is grade 3.
    expect(gradeLabResult('CREAT', 190, { high: 104 }, { value: 60, referenceRange: { high: 104 } })).toMatchObject({ grade: 3, basis: 'baseline' });
    expect(gradeLabResult('CREAT', 190, { high: 104 }, null)).toMatchObject({ grade: 2, basis: 'uln' });
    expect(gradeLabResult('CREAT', 100, { high: 104 }, { value: 60 })).toMatchObject({ grade: 2, basis: 'baseline' }); // 1.67 × baseline
    expect(gradeLabResult('CREAT', 90, { high: 104 }, { value: 60 })).toMatchObject({ grade: 0, basis: 'uln' }); // exactly 1.5 × baseline
  });

  it('grades alkaline phosphatase on ULN, and on an abnormal baseline from 2.0 × it', () => {
    expect(gradeLabResult('ALP', 300, { high: 120 })).toMatchObject({ grade: 1, basis: 'uln' }); // 2.5 × ULN
    expect(gradeLabResult('ALP', 301, { high: 120 })).toMatchObject({ grade: 2 });
    expect(gradeLabResult('ALP', 2401, { high: 120 })).toMatchObject({ grade: 4 });
    const abnormal = { value: 200, referenceRange: { high: 120 } };
    expect(gradeLabResult('ALP', 399, { high: 120 }, abnormal)).toMatchObject({ grade: 0, basis: 'baseline' });
    expect(gradeLabResult('ALP', 400, { high: 120 }, abnormal)).toMatchObject({ grade: 1, basis: 'baseline' });
  });

  it('grades kidney function on the clearance: below 60 grade 2, below 30 grade 3, below 15 grade 4 (issue 11, defect 4)', () => {
    expect(gradeClearance(60).grade).toBeNull();
    expect(gradeClearance(59.9).grade).toBe(2);
    expect(gradeClearance(30).grade).toBe(2);
    expect(gradeClearance(29.9).grade).toBe(3);
    expect(gradeClearance(15).grade).toBe(3);
    expect(gradeClearance(13.6).grade).toBe(4);
  });

  it('grades creatinine on multiples of ULN whatever the baseline', () => {
    const uln = { high: 100 };
    const abnormal = { value: 200, referenceRange: uln };
    expect(g('CREAT', 100, uln, abnormal)).toBe(0);
    expect(g('CREAT', 100.1, uln, abnormal)).toBe(1);
    expect(g('CREAT', 150, uln, abnormal)).toBe(1);
    expect(g('CREAT', 150.1, uln, abnormal)).toBe(2);
    expect(g('CREAT', 300, uln, abnormal)).toBe(2);
    expect(g('CREAT', 300.1, uln, abnormal)).toBe(3);
    expect(g('CREAT', 600, uln, abnormal)).toBe(3);
    expect(g('CREAT', 600.1, uln, abnormal)).toBe(4);
  });
});
