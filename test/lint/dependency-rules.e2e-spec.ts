// The dependency rules of `npm run lint` (.dependency-cruiser.js) fail on a deliberate violation of each:
// every fixture under test/lint/fixtures is a tiny tree that breaks one rule (or keeps all of them, `clean`),
// cruised with the project's own rule set.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface Violation {
  rule: string;
  from: string;
  to: string;
}

const root = join(__dirname, '..', '..');
const fixtures = join(__dirname, 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the lint configuration itself, a CommonJS file
const config = require(join(root, '.dependency-cruiser.js')) as { forbidden: { name: string }[]; options: { exclude: { path: string[] } } };

/** Each fixture, what it does wrong, and the rules that must report it (exactly these). */
const cases: { fixture: string; breach: string; rules: string[] }[] = [
  { fixture: 'app-imports-app', breach: 'apps/api imports apps/projector (@vigil/projector)', rules: ['no-app-to-other-app'] },
  { fixture: 'lib-imports-app', breach: 'libs/messaging imports a type from apps/api', rules: ['no-lib-to-app'] },
  { fixture: 'domain-imports-nest', breach: 'libs/domain imports @nestjs/common', rules: ['domain-no-nest', 'domain-no-npm-package'] },
  { fixture: 'domain-imports-node-io', breach: 'libs/domain imports node:fs and child_process', rules: ['domain-no-node-io'] },
  { fixture: 'domain-imports-package', breach: 'libs/domain imports an npm package (canonicalize)', rules: ['domain-no-npm-package'] },
  { fixture: 'domain-spec-imports-package', breach: 'a libs/domain spec imports a package other than fast-check', rules: ['domain-tests-allowed-packages'] },
  { fixture: 'domain-imports-lib', breach: 'libs/domain imports another lib (@vigil/messaging)', rules: ['domain-no-other-lib'] },
  { fixture: 'lib-deep-import', breach: 'libs/audit imports @vigil/messaging/log-channel, past its index', rules: ['lib-through-index'] },
  { fixture: 'lib-relative-import', breach: 'libs/audit imports ../../messaging/src instead of @vigil/messaging', rules: ['lib-by-alias'] },
  { fixture: 'import-cycle', breach: 'two domain modules import each other, one of them by a type-only import', rules: ['no-circular'] },
  { fixture: 'unresolvable-import', breach: 'apps/api imports a module that does not exist', rules: ['not-to-unresolvable'] },
];

let found: Record<string, Violation[]>;

beforeAll(() => {
  const dirs = ['clean', ...cases.map((c) => c.fixture)].map((name) => join(fixtures, name));
  const output = execFileSync(process.execPath, [join(__dirname, 'cruise-fixtures.mjs'), ...dirs], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const byDir = JSON.parse(output) as Record<string, Violation[]>;
  found = Object.fromEntries(Object.entries(byDir).map(([dir, violations]) => [dir.slice(fixtures.length + 1), violations]));
}, 150_000);

const rulesBroken = (fixture: string) => [...new Set(found[fixture].map((v) => v.rule))].sort();

describe('the dependency rules of npm run lint', () => {
  it('pass a tree that keeps the arrows (apps → libs → domain, node:crypto and fast-check in the domain, type imports)', () => {
    expect(found.clean).toEqual([]);
  });

  it.each(cases)('fail when $breach: $rules', ({ fixture, rules }) => {
    expect(rulesBroken(fixture)).toEqual([...rules].sort());
  });

  it('count a type-only import: the cycle closes through one', () => {
    expect(found['import-cycle']).toEqual([{ rule: 'no-circular', from: 'libs/domain/src/grade.ts', to: 'libs/domain/src/severity.ts' }]);
  });

  it('have a fixture that breaks each of them', () => {
    const proven = new Set(cases.flatMap((c) => c.rules));
    expect(config.forbidden.map((rule) => rule.name).filter((name) => !proven.has(name))).toEqual([]);
  });

  it('leave the fixtures out of the real lint run', () => {
    const excluded = config.options.exclude.path.map((pattern) => new RegExp(pattern));
    const fixtureFiles = readdirSync(fixtures, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    expect(fixtureFiles.length).toBeGreaterThan(0);
    for (const file of fixtureFiles) expect(excluded.some((pattern) => pattern.test(`test/lint/fixtures/${file}`))).toBe(true);
  });
});
