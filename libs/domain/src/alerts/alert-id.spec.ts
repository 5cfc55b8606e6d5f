import fc from 'fast-check';
import { alertIdFor, uuidV5 } from './alert-id';

describe('alertIdFor', () => {
  it('computes RFC 4122 version-5 UUIDs (known vector: www.example.com in the DNS namespace)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives one id per (triggering event, rule), the same every time', () => {
    const id = alertIdFor('3f1c0d8e-1111-4a2b-9c3d-000000000001', 'TR-PLT');
    expect(alertIdFor('3f1c0d8e-1111-4a2b-9c3d-000000000001', 'TR-PLT')).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives different ids to different rules on one result and to one rule on different results', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom('TR-WBC', 'TR-PLT', 'TR-ALT'), fc.constantFrom('TR-LYM', 'TR-AST', 'TR-CRCL'), (e1, e2, r1, r2) => {
        expect(alertIdFor(e1, r1)).not.toBe(alertIdFor(e1, r2));
        if (e1 !== e2) expect(alertIdFor(e1, r1)).not.toBe(alertIdFor(e2, r1));
      }),
    );
  });
});
