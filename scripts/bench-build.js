#!/usr/bin/env node
// `npm run bench` compiles what the benchmarks run: bench/, apps/ and libs/ transpiled by swc into
// dist/bench/, mirroring the source tree, with the @vigil/* aliases of tsconfig.json rewritten to
// relative paths. No type-checking here (that is `npm run typecheck`): only what runs is measured.
// The whole tree is rebuilt every time (well under a second), so a removed source never lingers as a
// stale .js; it is written beside dist/bench and swapped in by renames, so a benchmark already running
// (which spawns children from dist/bench) is not left without its files by a second `npm run bench`.
const { rmSync, mkdirSync, writeFileSync, readdirSync, existsSync, readFileSync, renameSync } = require('node:fs');
const { basename, dirname, join, relative } = require('node:path');
const swc = require('@swc/core');
const ts = require('typescript');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'bench');
const sourceDirs = ['bench', 'apps', 'libs'];
const skipped = /\.(spec|e2e-spec)\.ts$|\.d\.ts$/;

function tsconfigPaths() {
  const { config, error } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  if (error) throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  return config.compilerOptions.paths ?? {};
}

function sources(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'results') found.push(...sources(path));
    } else if (entry.name.endsWith('.ts') && !skipped.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

async function main() {
  const started = Date.now();
  const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
  const options = {
    swcrc: false,
    sourceMaps: true,
    jsc: { ...swcrc.jsc, baseUrl: root, paths: tsconfigPaths() },
    // `import()` stays a real dynamic import, so ESM-only packages (jose) load from CommonJS.
    module: { type: 'commonjs', ignoreDynamic: true },
  };
  const next = `${out}.next-${process.pid}`;
  const previous = `${out}.previous-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  const files = sourceDirs
    .map((d) => join(root, d))
    .filter(existsSync)
    .flatMap(sources);
  await Promise.all(
    files.map(async (file) => {
      const { code, map } = await swc.transformFile(file, { ...options, filename: file });
      const target = join(next, relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, `${code}\n//# sourceMappingURL=${basename(target)}.map\n`);
      if (map) writeFileSync(`${target}.map`, map);
    }),
  );
  if (existsSync(out)) renameSync(out, previous);
  renameSync(next, out);
  rmSync(previous, { recursive: true, force: true });
  console.error(`bench: transpiled ${files.length} files into ${relative(root, out)}/ in ${Date.now() - started} ms`);
}

main().catch((error) => {
  console.error(`bench: could not compile: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
