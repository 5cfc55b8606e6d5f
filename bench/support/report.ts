import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ResultRow } from '../scenario';
import type { Machine } from './machine';

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

function amount(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined) return '';
  // Latencies and memory keep a decimal below 1 000, so 300.4 MB does not read as a met 300 MB.
  const fine = (unit === 'ms' || unit === 'MB') && Math.abs(value) < 1000;
  const text = Math.abs(value) >= 100 && !fine ? integer.format(value) : decimal.format(value);
  return unit ? `${text} ${unit}` : text;
}

/** 0.4321 → "43 %". */
export const percent = (share: number): string => `${Math.round(share * 100)} %`;

/** 12 345 678 → "12,345,678". */
export const thousands = (n: number): string => integer.format(n);

const metText = (row: ResultRow): string => (row.met === null ? '–' : row.met ? 'yes' : 'NO');

function cells(row: ResultRow): string[] {
  const figure = row.status === 'measured' ? amount(row.value, row.unit) : row.status;
  const ratio = row.ratio === null ? '' : `${row.ratio.toFixed(2)}×`;
  return [
    row.title,
    row.figure,
    figure,
    row.targetText,
    ratio,
    amount(row.p50, row.p50 === undefined ? '' : 'ms'),
    amount(row.p99, row.p99 === undefined ? '' : 'ms'),
    metText(row),
  ];
}

const header = ['Scenario', 'Figure', 'Measured', 'Target', 'Ratio', 'p50', 'p99', 'Met?'];

/** Why a row is not measured, or what to know about how it was. */
function notes(rows: ResultRow[]): string[] {
  return rows.flatMap((row) => [
    ...(row.reason ? [`${row.scenario} (${row.status}): ${row.reason}`] : []),
    ...(typeof row.note === 'string' ? [`${row.scenario}: ${row.note}`] : []),
  ]);
}

export function textTable(rows: ResultRow[]): string {
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, column) => Math.max(...table.map((line) => line[column].length)));
  const line = (values: string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  const reasons = [...new Set(notes(rows))].map((note) => `  · ${note}`);
  return [line(header), rule, ...table.slice(1).map(line), ...(reasons.length ? ['', ...reasons] : [])].join('\n');
}

export function markdown(rows: ResultRow[], machine: Machine, measuredAt: string, command: string, loadAtEnd: number, limitText: string): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const limit = rows.filter((row) => row.scenario === 'machine-limit' && row.status === 'measured');
  const lines = [
    `## Benchmarks (${measuredAt.slice(0, 10)})`,
    '',
    `Measured ${measuredAt} with \`${command}\` on ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `data on ${machine.fileSystem}; load average ${machine.loadAverage} at start, ${loadAtEnd} at end (other work on the machine skews every figure).`,
    '',
    limit.length
      ? `Machine limit (${limitText}): ${limit.map((row) => `${row.figure}: **${amount(row.value, row.unit)}**`).join('; ')}.`
      : 'Machine limit: not measured in this run.',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i >= 2 && i <= 6 ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ];
  const reasons = [...new Set(notes(rows))];
  if (reasons.length) lines.push('', ...reasons.map((note) => `- ${escape(note)}`));
  return lines.join('\n') + '\n';
}

/** Writes the rows as JSON and, unless `md` is null, the markdown table beside it (`latest.json` → `latest.md`). */
export function writeResults(file: string, rows: ResultRow[], md: string | null): string[] {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
  if (md === null) return [file];
  const mdFile = file.replace(/\.json$/, '') + '.md';
  writeFileSync(mdFile, md);
  return [file, mdFile];
}
