import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** The `canonicalize` package (RFC 8785 reference for this project) ships ESM only: ask it in a child node. */
function canonicalizeByPackage(values: unknown[]): string[] {
  const script =
    "import canonicalize from 'canonicalize'; let input = ''; process.stdin.setEncoding('utf8'); process.stdin.on('data', (c) => (input += c));" +
    "process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map((v) => canonicalize(v)))));";
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: __dirname,
    input: JSON.stringify(values),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output.toString('utf8'));
}

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units (an emoji surrogate pair before U+FB00), with no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { d: 0.1, c: 79.9 }, é: 1, '€': 2, '😀': 3, ﬀ: 4 })).toBe(
      '{"A":{"c":79.9,"d":0.1},"a":[true,null,"x"],"b":1,"é":1,"€":2,"😀":3,"ﬀ":4}',
    );
  });

  it('writes numbers the ECMAScript way (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.000001, 123456789012345680000, 5e-324])).toBe('[1e+21,1e-7,0,0.000001,123456789012345680000,5e-324]');
  });

  it('refuses values that have no JSON form', () => {
    expect(() => canonicalJson(NaN)).toThrow();
    expect(() => canonicalJson(Infinity)).toThrow();
    expect(() => canonicalJson(10n)).toThrow();
  });

  it('is byte-identical to the canonicalize package for any JSON value', () => {
    const values = fc.sample(fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' }), { numRuns: 2000, seed: 8785 });
    const extra = [{ '\u0000': '\u001f\u007f\u2028', '\ud83d\ude00': 'pair', '': [] }, 'tab\there "quoted"', -1.5e-300];
    const all = [...values, ...extra].map((value) => JSON.parse(JSON.stringify(value)));
    expect(all.map(canonicalJson)).toEqual(canonicalizeByPackage(all));
  });
});
