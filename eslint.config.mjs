import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const DB_PACKAGES = ['typeorm', '@nestjs/typeorm', 'pg', 'pg-*'];
const NEST_PACKAGES = ['@nestjs/*', 'nestjs-pino'];

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/coverage', '.nx', 'libs/persistence/src/migrations/*-*.ts'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          checkDynamicDependenciesExceptions: [],
          allow: [],
          depConstraints: [
            // libs/models imports nothing from the workspace and no framework.
            {
              sourceTag: 'type:models',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: [...NEST_PACKAGES, ...DB_PACKAGES, 'ioredis', 'bullmq'],
            },
            {
              sourceTag: 'type:config',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: [...NEST_PACKAGES, ...DB_PACKAGES],
            },
            { sourceTag: 'type:logging', onlyDependOnLibsWithTags: [], bannedExternalImports: DB_PACKAGES },
            {
              sourceTag: 'type:redis',
              onlyDependOnLibsWithTags: ['type:models'],
              bannedExternalImports: [...NEST_PACKAGES, ...DB_PACKAGES],
            },
            {
              sourceTag: 'type:persistence',
              onlyDependOnLibsWithTags: ['type:models'],
              bannedExternalImports: NEST_PACKAGES,
            },
            // task-engine and ssh are plain TypeScript: no NestJS, no TypeORM.
            {
              sourceTag: 'type:engine',
              onlyDependOnLibsWithTags: ['type:models', 'type:ssh', 'type:testing'],
              bannedExternalImports: [...NEST_PACKAGES, ...DB_PACKAGES],
            },
            {
              sourceTag: 'type:ssh',
              onlyDependOnLibsWithTags: ['type:models', 'type:testing'],
              bannedExternalImports: [...NEST_PACKAGES, ...DB_PACKAGES],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:models', 'type:persistence', 'type:redis', 'type:config'],
            },
            { sourceTag: 'type:suite', onlyDependOnLibsWithTags: ['type:models', 'type:persistence', 'type:testing'] },
            // The runner never touches PostgreSQL.
            {
              sourceTag: 'scope:runner',
              onlyDependOnLibsWithTags: [
                'type:models',
                'type:engine',
                'type:ssh',
                'type:config',
                'type:logging',
                'type:redis',
                'type:testing',
              ],
              bannedExternalImports: DB_PACKAGES,
            },
            {
              sourceTag: 'scope:api',
              onlyDependOnLibsWithTags: [
                'type:models',
                'type:persistence',
                'type:config',
                'type:logging',
                'type:redis',
                'type:testing',
              ],
            },
          ],
        },
      ],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].map((object) => ({
          object,
          property: 'only',
          message: 'focused tests skip the rest of the suite',
        })),
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fdescribe', message: 'focused tests skip the rest of the suite' },
        { name: 'fit', message: 'focused tests skip the rest of the suite' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Test infrastructure only in tests.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'apps/*/e2e/**', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@semaphore/testing', message: 'test infrastructure is for tests only' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
