// ESLint for Vigil (`npm run lint`): typescript-eslint's recommended rules over apps, libs, test, bench and scripts,
// plus the type-aware rules that catch a promise nobody waits for (a rejected append that no one hears is a lost alert).
// Formatting is Prettier's job (eslint-config-prettier turns off the rules that would disagree with it);
// the arrows between apps and libs are dependency-cruiser's (.dependency-cruiser.js).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const unusedVars = { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' };

export default defineConfig(
  {
    // The fixtures break rules on purpose: test/lint/dependency-rules.e2e-spec.ts cruises them.
    // The console's API types are generated (npm run openapi).
    ignores: ['**/node_modules/', '**/dist/', 'coverage/', 'data/', 'bench/results/', 'test/lint/fixtures/', 'apps/console/src/api/schema.d.ts'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      globals: { ...globals.node },
      // The one tsconfig.json that `npm run typecheck` uses (faster here than the project service): a .ts file outside it is an error.
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      // Type-aware, and worth the type information: each one is a promise whose failure nobody would see.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The console is browser code with a tsconfig of its own (JSX, DOM): linted against it, with the same rules.
    files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { project: ['./apps/console/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The console's unit specs run under jest, outside its tsconfig: no type-aware rules there.
    files: ['apps/console/**/*.spec.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { project: false }, globals: { ...globals.jest } },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', unusedVars] },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', '**/testing/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
  prettier,
  {
    // Prettier keeps code within 160 columns but leaves long strings and template literals as they are: this catches those.
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
