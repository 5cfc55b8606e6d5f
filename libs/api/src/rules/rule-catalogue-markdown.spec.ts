import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '@vigil/domain';
import { ruleCatalogueMarkdown } from './rule-catalogue-markdown';

describe('the rule list in the README', () => {
  it('is exactly the catalogue GET /rules serves, as `npm run vigil -- rules` prints it (paste its output when this fails)', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    const start = readme.indexOf('\n## The rules\n');
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const table = section.indexOf('\n| Rule |');
    expect(table).toBeGreaterThan(0);
    expect(section.slice(table + 1).trim()).toBe(ruleCatalogueMarkdown().trim());
  });

  it('has one row per rule, each id once', () => {
    const ids = [...ruleCatalogueMarkdown().matchAll(/^\| `([A-Z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(RULES.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
