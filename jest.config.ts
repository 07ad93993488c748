import { join } from 'node:path';
import type { Config } from 'jest';

/**
 * One root config that runs every project. The tier is chosen with TEST_TIER:
 *   unit -> *.spec.ts, int -> *.int-spec.ts (real PostgreSQL, Redis, sshd, git...), e2e -> *.e2e-spec.ts
 * (real api and runner processes). Without TEST_TIER every tier runs.
 */
const tier = process.env.TEST_TIER ?? 'all';
const patterns: Record<string, string[]> = {
  unit: ['<rootDir>/src/**/*.spec.ts'],
  int: ['<rootDir>/src/**/*.int-spec.ts'],
  e2e: ['<rootDir>/src/**/*.e2e-spec.ts', '<rootDir>/e2e/**/*.e2e-spec.ts'],
};
const testMatch = tier === 'all' ? Object.values(patterns).flat() : patterns[tier];
if (!testMatch) throw new Error(`TEST_TIER must be unit, int or e2e (got ${tier})`);

const projects = [
  ['api', 'apps/api'],
  ['runner', 'apps/runner'],
  ['models', 'libs/models'],
  ['persistence', 'libs/persistence'],
  // The schema's integration tests use @semaphore/testing, which itself builds on persistence: a separate project.
  ['persistence-tests', 'libs/persistence/tests'],
  ['task-engine', 'libs/task-engine'],
  ['ssh', 'libs/ssh'],
  ['config', 'libs/config'],
  ['logging', 'libs/logging'],
  ['redis', 'libs/redis'],
  ['testing', 'libs/testing'],
] as const;

const moduleNameMapper = {
  '^@semaphore/(models|persistence|task-engine|ssh|testing|config|logging|redis)$': join(
    __dirname,
    'libs/$1/src/index.ts',
  ),
};

const config: Config = {
  globalSetup: join(__dirname, 'libs/testing/src/global-setup.ts'),
  testTimeout: tier === 'unit' ? 10_000 : 60_000,
  projects: projects.map(([displayName, root]) => ({
    displayName,
    rootDir: join(__dirname, root),
    testEnvironment: 'node',
    testMatch,
    moduleNameMapper,
    transform: {
      '^.+\\.ts$': [
        'ts-jest',
        {
          tsconfig: {
            ...require('./tsconfig.base.json').compilerOptions,
            rootDir: undefined,
            isolatedModules: true,
            types: ['node', 'jest'],
          },
        },
      ],
    },
  })),
};

export default config;
