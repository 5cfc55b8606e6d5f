#!/usr/bin/env node
// `npm start` builds if needed: when dist/ is missing or older than any source file, run `nest build`.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'dist', '.built');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ['apps', 'libs', 'bench'].map((d) => join(root, d)).filter(existsSync);
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
if (built < Math.max(...sources.map(newestSource), statSync(join(root, 'tsconfig.json')).mtimeMs)) {
  console.error('Building Vigil (nest build)…');
  execSync('npx nest build vigil', { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  require('node:fs').writeFileSync(marker, new Date().toISOString());
}
