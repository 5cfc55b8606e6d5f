/**
 * Time stamps an inspector reads: always UTC, never a local zone (docs/safety-rules.md §6). Text that is
 * not a time is returned as it is, rather than hidden.
 */
export function utc(timestamp: unknown): string {
  if (typeof timestamp !== 'string') return String(timestamp ?? '');
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
}

/** The same, without a zero millisecond part, for sentences: 2026-01-13T07:30:00Z. */
export function utcInWords(timestamp: unknown): string {
  return utc(timestamp).replace(/\.000Z$/, 'Z');
}
