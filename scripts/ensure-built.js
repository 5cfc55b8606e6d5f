#!/usr/bin/env node
// `npm start` builds if needed: `nest build` when dist/ is missing or older than any server source file,
// and the console (vite, apps/console → dist/console) when it is missing or older than any of its files.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'dist', '.built');
const consoleSources = join(root, 'apps', 'console');
const consoleIndex = join(root, 'dist', 'console', 'index.html');

/** Newest modification time of the files under `dir` that `wanted` accepts, skipping `skip`. */
function newest(dir, wanted, skip = []) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip.includes(path)) continue;
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, wanted, skip));
    else if (wanted(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const run = (what, command) => {
  console.error(`Building ${what} (${command})…`);
  execSync(command, { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
};

const sources = ['apps', 'libs', 'bench'].map((d) => join(root, d)).filter(existsSync);
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const serverSources = Math.max(
  ...sources.map((dir) => newest(dir, (name) => name.endsWith('.ts'), [consoleSources])),
  statSync(join(root, 'tsconfig.json')).mtimeMs,
);
if (built < serverSources) {
  run('Vigil', 'npx nest build vigil');
  writeFileSync(marker, new Date().toISOString());
}
if (existsSync(consoleSources)) {
  const consoleBuilt = existsSync(consoleIndex) ? statSync(consoleIndex).mtimeMs : 0;
  if (consoleBuilt < newest(consoleSources, () => true)) run('the console', 'npx vite build --config apps/console/vite.config.mts --logLevel warn');
}
