// ESLint flat config: typescript-eslint's recommended rules plus an import-cycle check. Formatting is prettier's
// job (`pnpm format`), so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.venv/**',
      '.cache/**',
      'bridges/**',
      'runs/**',
      'examples/*/runs/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Teaches import-x which extensions and parser TypeScript files need; without it, imported .ts files are skipped
  // and no-cycle sees no cycles at all.
  importX.flatConfigs.typescript,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: ['packages/*/tsconfig.json'], noWarnOnMultipleProjects: true }),
      ],
    },
    rules: {
      // Data flows one way (agent -> client -> protocol -> server -> env); a cycle between modules breaks that and
      // the lazy loading the agent relies on.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The viewer's and dashboard's page scripts run in the browser.
    files: ['packages/env-server/viewer/**/*.js', 'packages/agent/dashboard-page/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Raw protocol clients in tests read decoded frames whose shape is exactly what the test is checking, often
    // deliberately malformed; typing them would restate the protocol's types the test means to question.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
