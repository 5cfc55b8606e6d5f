// One jest config, two projects: fast unit/contract tests beside the code (libs, apps)
// and end-to-end tests under test/. Both resolve the @vigil/* aliases of tsconfig.json.
const fs = require('fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const moduleNameMapper = {
  '^@vigil/(domain|event-store|projections|alerting|messaging|audit|api|reports|observability)$': '<rootDir>/libs/$1/src',
  '^@vigil/(domain|event-store|projections|alerting|messaging|audit|api|reports|observability)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
// jose 6 ships ES modules only; jest on Node < 24.9 cannot require() them, so swc turns it into CommonJS.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }],
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { swcrc: false, module: { type: 'commonjs' }, jsc: { target: 'es2022' } }],
};
const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper,
  rootDir: __dirname,
};

module.exports = {
  reporters: ['default', '<rootDir>/test/reporters/plain-summary.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    // e2e-timeout.ts: 20 s a test or hook (a whole Vigil boots in each).
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'] },
  ],
};
