/**
 * RFC 4180 CSV: fields with a comma, a quote, a line break or edge spaces are quoted, quotes doubled,
 * records end with CRLF. Values are written as they are (never prefixed or trimmed): the export is the
 * record, kept whole.
 */
export function csvField(value: unknown): string {
  const text =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
