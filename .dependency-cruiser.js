// The arrows of Vigil's architecture (apps → libs → domain), checked by dependency-cruiser in `npm run lint`.
// Type-only imports count (tsPreCompilationDeps): a type import still ties two modules together.
// test/lint/dependency-rules.e2e-spec.ts proves that each rule below fails on a deliberate violation.

// Packages libs/domain may import. The domain is pure TypeScript: its own code imports no package.
// Its spec files use fast-check for property tests (an invariant over many generated inputs).
const DOMAIN_TEST_PACKAGES = ['fast-check'];
const NPM = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];
const SPEC_FILE = '[.]spec[.]ts$';
// Test support of a lib (libs/<name>/src/testing/): generators, oracles, harnesses, for tests only.
const TEST_SUPPORT = '^libs/[^/]+/src/testing/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-app-to-other-app',
      comment: 'An app does not import another app: what two apps share belongs in a lib (apps/vigil composes the others through libs).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      comment: 'Arrows point inward: an app imports libs, never the other way round.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-no-nest',
      comment: 'libs/domain is plain TypeScript: no NestJS (decorators, modules, injection) in the trial language.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: ['(^|/)node_modules/@nestjs/', '^@nestjs/'] },
    },
    {
      name: 'domain-no-node-io',
      comment: 'libs/domain does no I/O: of Node core it may use crypto only (alert ids are hashes of event and rule).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'domain-no-npm-package',
      comment: `libs/domain imports no npm package; its spec files and test support may use ${DOMAIN_TEST_PACKAGES.join(', ')} (property tests).`,
      severity: 'error',
      from: { path: '^libs/domain/', pathNot: [SPEC_FILE, TEST_SUPPORT] },
      to: { dependencyTypes: NPM },
    },
    {
      name: 'domain-tests-allowed-packages',
      comment: `libs/domain spec files and test support import only ${DOMAIN_TEST_PACKAGES.join(', ')} of npm.`,
      severity: 'error',
      from: { path: [`^libs/domain/.*${SPEC_FILE}`, '^libs/domain/src/testing/'] },
      to: { dependencyTypes: NPM, pathNot: DOMAIN_TEST_PACKAGES.map((name) => `(^|/)node_modules/${name}/`) },
    },
    {
      name: 'domain-no-other-lib',
      comment: 'libs/domain imports nothing of ours: every other lib depends on it, never the reverse.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: '^libs/', pathNot: '^libs/domain/' },
    },
    {
      name: 'lib-through-index',
      comment:
        'Another lib is imported through its public face, libs/<name>/src/index.ts (`@vigil/<name>`), never a deep path into it; ' +
        'a spec file may also use its test support face, libs/<name>/src/testing/index.ts (`@vigil/<name>/testing`).',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/', pathNot: SPEC_FILE },
      to: { path: '^libs/[^/]+/', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index[.]ts$'] },
    },
    {
      name: 'lib-through-index',
      comment: 'A spec file imports another lib through its public face or its test support face (`@vigil/<name>/testing`).',
      severity: 'error',
      from: { path: `^(apps|libs)/([^/]+)/.*${SPEC_FILE}` },
      to: { path: '^libs/[^/]+/', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index[.]ts$', '^libs/[^/]+/src/testing/index[.]ts$'] },
    },
    {
      name: 'lib-by-alias',
      comment: 'Another lib is imported by its alias `@vigil/<name>` (tsconfig paths), not by a relative path into its folder.',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: { path: '^libs/[^/]+/', pathNot: '^libs/$2/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included: a cycle makes two modules one, and its load order a guess.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that cannot be resolved to a file would slip past every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // The fixtures break the rules on purpose (test/lint/dependency-rules.e2e-spec.ts cruises them on their own).
    exclude: { path: ['^test/lint/fixtures/', '(^|/)dist/'] },
    moduleSystems: ['cjs', 'es6'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
