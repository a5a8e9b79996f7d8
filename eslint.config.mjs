// Type-aware lint (typescript-eslint): no floating promises, no unused code, no `any` leaking out of
// module boundaries; and the language core may not import vscode, the LSP libraries or I/O modules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const coreForbidden = {
  paths: [
    { name: 'vscode', message: 'The language core is pure: no vscode import (docs/ARCHITECTURE.md).' },
    { name: 'fs', message: 'The language core does no I/O: take a FileReader.' },
    { name: 'node:fs', message: 'The language core does no I/O: take a FileReader.' },
    { name: 'child_process', message: 'The language core does no I/O.' },
    { name: 'node:child_process', message: 'The language core does no I/O.' },
  ],
  patterns: [
    {
      group: ['vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'],
      message: 'The language core knows nothing of LSP (docs/ARCHITECTURE.md).',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      'coverage/**',
      'test-results/**',
      '.e2e-cache/**',
      '**/*.js',
      '**/*.mjs',
      'client/src/webview/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    // the tables hold kinds, flags and token codes as numbers in typed arrays, compared with const
    // enums on purpose
    files: ['server/src/core/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', coreForbidden] },
  },
);
