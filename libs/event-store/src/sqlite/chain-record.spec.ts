import Database from 'better-sqlite3';
import { canonicalString } from '../canonical-json';

describe('the SQLite chain record envelope', () => {
  let db: Database.Database;
  beforeAll(() => (db = new Database(':memory:')));
  afterAll(() => db.close());

  it('quotes strings with json_quote exactly as canonicalString does, for every code point', () => {
    // Both escape character by character, so one string holding every code point checks them all.
    let every = '';
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint < 0xd800 || codePoint > 0xdfff) every += String.fromCodePoint(codePoint);
    }
    const quoted = db.prepare<[string], string>('SELECT json_quote(?)').pluck().get(every);
    expect(quoted === canonicalString(every)).toBe(true);
  });

  it('quotes a NUL inside a string, and writes null for a missing previous hash', () => {
    const quote = db.prepare<[string | null], string>('SELECT json_quote(?)').pluck();
    expect(quote.get('a\u0000b')).toBe(canonicalString('a\u0000b'));
    expect(quote.get(null)).toBe('null');
  });
});
