// Cruises each fixture tree given on the command line with the project's own dependency rules
// (.dependency-cruiser.js, the file `npm run lint:deps` uses) and prints, as JSON, the violations found in each:
//   node test/lint/cruise-fixtures.mjs test/lint/fixtures/clean test/lint/fixtures/import-cycle
// A script of its own because dependency-cruiser is ES modules only, which jest's CommonJS runtime cannot load;
// one process for every fixture, as starting dependency-cruiser (and TypeScript) costs seconds.
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const config = resolve(import.meta.dirname, '../../.dependency-cruiser.js');
const options = await extractDepcruiseOptions(config);
const found = {};
for (const dir of process.argv.slice(2).map((arg) => resolve(arg))) {
  // Paths in the rules, and the tsconfig that maps the @vigil/* aliases, are read from the working directory, as in the CLI.
  process.chdir(dir);
  const result = await cruise(['.'], { ...options, outputType: 'json' }, {}, { tsConfig: extractTSConfig(options.tsConfig.fileName) });
  const { summary } = JSON.parse(result.output);
  found[dir] = summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
}
process.stdout.write(JSON.stringify(found));
