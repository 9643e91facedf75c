// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { project: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // The geo library and the wire contracts import nothing of ours and no framework or I/O.
    files: ['libs/geo/**/*.ts', 'libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', 'typeorm', 'ioredis', 'bullmq', 'pg', '@app/*', '../../apps/*'] },
      ],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', 'typeorm', 'ioredis', 'bullmq', 'pg', '@app/contracts*'] },
      ],
    },
  },
  {
    files: ['apps/simulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/apps/api/**', '@nestjs/*', 'typeorm'] }] },
  },
);
