// Lets `node -r ./register-ts.js script.ts` run TypeScript with the project's SWC settings (bench scripts only).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');
const swcrc = JSON.parse(readFileSync(join(__dirname, '../../../.swcrc'), 'utf8'));
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename, sourceMaps: false });
  module._compile(code, filename);
};
