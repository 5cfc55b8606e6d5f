/**
 * Rounds to `digits` significant digits, so that unit factors leave no floating-point residue
 * (1.1 g/dL × 10 → 11, not 11.000000000000002). Ten digits is far beyond any lab's precision.
 */
export const roundSignificant = (value: number, digits = 10): number => (value === 0 || !Number.isFinite(value) ? value : Number(value.toPrecision(digits)));
