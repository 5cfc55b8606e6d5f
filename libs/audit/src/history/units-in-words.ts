/** UCUM codes as a person writes them (docs/safety-rules.md §3): 10*9/L → ×10⁹/L, umol/L → µmol/L. */
const WRITTEN: Readonly<Record<string, string>> = {
  '10*9/L': '×10⁹/L',
  '10*3/uL': '×10³/µL',
  '10*3/mm3': '×10³/mm³',
  '/mm3': '/mm³',
  '/uL': '/µL',
  'umol/L': 'µmol/L',
  '[IU]/L': 'IU/L',
};

export function unitInWords(unit: unknown): string {
  if (typeof unit !== 'string') return '';
  return Object.prototype.hasOwnProperty.call(WRITTEN, unit) ? WRITTEN[unit] : unit;
}
