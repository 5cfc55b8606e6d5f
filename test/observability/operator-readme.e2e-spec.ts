import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VigilMetrics } from '@vigil/observability';

/** The README's operator section names every metric Vigil exposes and every variable its code reads. */
const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const operatorSection = readme.slice(readme.indexOf('## Operating Vigil'), readme.indexOf('\n## ', readme.indexOf('## Operating Vigil') + 1));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'console' || name === 'testing' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('README, "Operating Vigil"', () => {
  it('lists every metric family of /metrics', async () => {
    const metrics = new VigilMetrics({ defaultMetrics: false });
    const families = (await metrics.registry.getMetricsAsJSON()).map((family) => family.name);
    expect(families.length).toBeGreaterThanOrEqual(9);
    expect(families.filter((name) => !operatorSection.includes(`\`${name}\``))).toEqual([]);
  });

  it('lists every environment variable the code reads', () => {
    const read = new Set<string>();
    for (const file of [...sources(join(root, 'libs')), ...sources(join(root, 'apps'))]) {
      const text = readFileSync(file, 'utf8');
      // env.VIGIL_X, env['VIGIL_X'], or the name handed to a reader: milliseconds(env, 'VIGIL_X', …).
      for (const [, name] of text.matchAll(/(?:env\.|['"`])(VIGIL_[A-Z0-9_]*[A-Z0-9]|EVENTSTORE_URL)\b(?![_(])/g)) read.add(name);
    }
    read.delete('VIGIL_CONFIG'); // a Nest injection token, not a variable
    expect(read.size).toBeGreaterThan(50);
    expect([...read].filter((name) => !operatorSection.includes(`\`${name}\``)).sort()).toEqual([]);
  });
});
