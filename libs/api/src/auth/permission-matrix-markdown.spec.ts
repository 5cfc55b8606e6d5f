import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionMatrixMarkdown } from './permission-matrix-markdown';

/** The README's "## Who may do what" section, up to the next section. */
function readmeSection(): string {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const start = readme.indexOf('\n## Who may do what\n');
  if (start < 0) throw new Error('README.md has no "## Who may do what" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('the permission matrix in the README', () => {
  it('is exactly the matrix the API enforces, as `npm run vigil -- permissions` prints it (paste its output when this fails)', () => {
    const section = readmeSection();
    const table = section.indexOf('\n| Route |');
    expect(table).toBeGreaterThan(0);
    expect(section.slice(table + 1).trim()).toBe(permissionMatrixMarkdown().trim());
  });
});
