import { createHash } from 'node:crypto';
import { patientHistory } from '../history/patient-history';
import { enrolled, storedStream } from '../testing/stored-events';
import { csvField } from './csv';
import { exportFormatFromQuery, exportHistory } from './history-export';

const provenance = { exportedAt: '2026-02-01T10:00:00.000Z', exportedBy: { userId: 'u-mon', name: 'Monique', role: 'monitor' } };

/** A minimal RFC 4180 reader, to check the export reads back to what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('exporting a patient history', () => {
  const stream = storedStream('patient-TR-SAT-001', [
    { ...enrolled(), recordedAt: '2026-01-05T09:00:01.000Z' },
    {
      type: 'AdverseEventReported',
      data: { patientId: 'TR-SAT-001', term: 'Rash, "itchy", on arm\nand leg', onsetAt: '2026-01-07T10:00:00.000Z', grade: 1, serious: false },
      recordedAt: '2026-01-07T12:00:00.000Z',
    },
  ]);
  const history = patientHistory('TR-SAT-001', stream);

  it('writes CSV with a header, one record per event, escaped so that commas, quotes and line breaks read back intact', () => {
    const file = exportHistory(history, 'csv', provenance);
    const rows = parseCsv(file.body);
    expect(rows[0].slice(0, 7)).toEqual(['patient_id', 'version', 'event_id', 'type', 'schema_version', 'occurred_at_utc', 'recorded_at_utc']);
    expect(rows).toHaveLength(3);
    expect(rows[2][3]).toBe('AdverseEventReported');
    expect(rows[2][6]).toBe('2026-01-07T12:00:00.000Z');
    expect(JSON.parse(rows[2][15])).toEqual(stream[1].data);
    expect(rows[2][11]).toContain('Rash, "itchy", on arm\nand leg');
    expect(file.contentType).toMatch(/^text\/csv/);
    expect(file.filename).toBe('TR-SAT-001-audit-trail-2026-02-01T10-00-00-000Z.csv');
  });

  it('gives the SHA-256 of the exact bytes of the body', () => {
    for (const format of ['csv', 'json'] as const) {
      const file = exportHistory(history, format, provenance);
      expect(file.sha256).toBe(createHash('sha256').update(Buffer.from(file.body, 'utf8')).digest('hex'));
    }
  });

  it('writes JSON naming who exported it and when, with every entry and its original data', () => {
    const body = JSON.parse(exportHistory(history, 'json', provenance).body);
    expect(body).toMatchObject({ patientId: 'TR-SAT-001', exportedAt: '2026-02-01T10:00:00.000Z', exportedBy: provenance.exportedBy });
    expect(body.entries.map((e: { data: unknown }) => e.data)).toEqual(stream.map((e) => e.data));
  });

  it('quotes only what needs quoting', () => {
    expect(csvField('PLAT')).toBe('PLAT');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(79)).toBe('79');
  });

  it('takes format=csv or json, CSV by default, and names a wrong parameter', () => {
    expect(exportFormatFromQuery({})).toBe('csv');
    expect(exportFormatFromQuery({ format: 'json' })).toBe('json');
    expect(() => exportFormatFromQuery({ format: 'xlsx' })).toThrow(/format/);
    expect(() => exportFormatFromQuery({ fmt: 'csv' })).toThrow(/fmt/);
  });
});
