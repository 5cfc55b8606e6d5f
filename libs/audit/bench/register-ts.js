// Lets `node -r ./libs/audit/bench/register-ts.js script.ts` run TypeScript with the project's SWC
// settings and its @vigil/* aliases (bench scripts only; the build uses tsc).
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '../../..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const aliases = { domain: 'libs/domain/src', 'event-store': 'libs/event-store/src', projections: 'libs/projections/src', messaging: 'libs/messaging/src', audit: 'libs/audit/src', api: 'apps/api/src' };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@vigil\/([^/]+)(\/.*)?$/.exec(request);
  if (match && aliases[match[1]]) request = join(root, aliases[match[1]], match[2] ?? '');
  return resolve.call(this, request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename, sourceMaps: false });
  module._compile(code, filename);
};
