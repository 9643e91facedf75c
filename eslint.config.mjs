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
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
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
    // STYLE 3 and 14: SQL and TypeORM live in repositories (and entities, which map tables);
    // a service, gateway, controller or processor never sees an EntityManager or writes SQL.
    files: ['apps/api/src/modules/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/*.entity.ts', '**/*.module.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'typeorm', message: 'SQL and TypeORM live in repositories (STYLE 3, 14).' },
            { name: '@nestjs/typeorm', message: 'SQL and TypeORM live in repositories.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'SQL lives in repositories (STYLE 3).',
        },
        {
          selector: "TSTypeReference[typeName.name='EntityManager']",
          message: 'An EntityManager never leaves a repository; use UnitOfWork (STYLE 14).',
        },
      ],
    },
  },
  {
    // Matching's producer is imported by trips: it must not import trips (or any feature
    // module); the shared plumbing in common/ (clock, outbox) is allowed.
    files: [
      'apps/api/src/modules/matching/dispatch-queue.ts',
      'apps/api/src/modules/matching/matching-queue.module.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!\\.\\./common/)',
              message: 'The matching producer imports no feature module.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/apps/api/**', '@nestjs/*', 'typeorm'] }],
    },
  },
);
