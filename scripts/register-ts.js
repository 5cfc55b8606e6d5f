// Lets `node -r ./scripts/register-ts.js script.ts` run TypeScript from the source tree
// with the project's SWC settings and the @vigil/* aliases of tsconfig.json (benchmarks and the child
// processes of end-to-end tests only; nothing ships through it).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
const options = {
  ...swcrc,
  swcrc: false,
  sourceMaps: 'inline',
  jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
  module: { type: 'commonjs', ignoreDynamic: true },
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
