// One jest config, two projects: fast unit/contract tests beside the code (libs, apps)
// and end-to-end tests under test/. Both resolve the @vigil/* aliases of tsconfig.json.
const fs = require('fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const moduleNameMapper = {
  '^@vigil/(domain|event-store|projections|messaging|audit)$': '<rootDir>/libs/$1/src',
  '^@vigil/(domain|event-store|projections|messaging|audit)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^@vigil/(api|projector|notifier)$': '<rootDir>/apps/$1/src',
  '^@vigil/(api|projector|notifier)/(.*)$': '<rootDir>/apps/$1/src/$2',
};
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] };
const common = { testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], transform, moduleNameMapper, rootDir: __dirname };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
