import { join } from 'node:path';
import { register } from 'tsconfig-paths';

/** Jest global setup: migrates the template database once per run, before any worker clones it. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_TIER === 'unit') return;
  // Global setup runs outside Jest's module mapper: resolve the workspace aliases ourselves.
  const base = require(join(__dirname, '../../../tsconfig.base.json')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  register({ baseUrl: join(__dirname, '../../..'), paths: base.compilerOptions.paths });
  const { ensureTemplateDatabase } = await import('./template-database');
  await ensureTemplateDatabase();
}
