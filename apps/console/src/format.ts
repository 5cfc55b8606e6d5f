/** Times are shown in UTC, as the audit trail records them: one clock for every site of the trial. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `datetime-local` input value (read as UTC, to the second) ↔ ISO-8601. */
export const inputToIso = (value: string): string | undefined =>
  value ? new Date(`${value.length === 16 ? `${value}:00` : value}Z`).toISOString() : undefined;
export const isoToInput = (iso: string | undefined): string => (iso ? iso.slice(0, 19) : '');

/** UCUM codes as people write them. */
export function unit(code: string | null | undefined): string {
  if (!code) return '';
  return code
    .replace(/^10\*9\/L$/, '×10⁹/L')
    .replace(/^10\*12\/L$/, '×10¹²/L')
    .replace(/^\/mm3$/, '/mm³')
    .replace(/^umol\/L$/, 'µmol/L')
    .replace(/^mL\/min$/, 'mL/min');
}

export function value(n: number | null | undefined, code?: string | null): string {
  if (n === null || n === undefined) return '—';
  const text = Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
  return code ? `${text} ${unit(code)}` : text;
}

/** "in 5 h 12 min", "overdue by 2 d 3 h": a deadline against now. */
export function countdown(deadline: string, now: number): { text: string; overdue: boolean } {
  const ms = new Date(deadline).getTime() - now;
  const overdue = ms < 0;
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts = days > 0 ? [`${days} d`, `${hours} h`] : hours > 0 ? [`${hours} h`, `${minutes} min`] : [`${minutes} min`, `${seconds} s`];
  return { text: overdue ? `overdue by ${parts.join(' ')}` : `in ${parts.join(' ')}`, overdue };
}

export const shortId = (id: string | undefined): string => (id ? id.slice(0, 8) : '');
