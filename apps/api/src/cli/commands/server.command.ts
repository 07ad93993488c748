import { join } from 'node:path';
import type { Command } from 'commander';
import { startApi } from '../../bootstrap';
import { apiConfigFromProcessEnv, databaseConfigFromProcessEnv } from '../../config';
import { migrateDatabase } from '../../database/migrate';
import type { CliOutput } from '../cli-output';

export function registerServerCommands(program: Command, out: CliOutput): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const applied = await migrateDatabase(databaseConfigFromProcessEnv());
      out.line(
        applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date',
      );
    });

  program
    .command('server')
    .alias('service')
    .description('apply migrations, then start the api server')
    .action(async () => {
      const config = apiConfigFromProcessEnv();
      await migrateDatabase(config.db);
      await startApi(config);
    });

  // The runner is its own app; the CLI only loads its compiled entry point, it does not link its code.
  const runnerApp = async () =>
    (await import(join(__dirname, '../../../../runner/src/main.js'))) as {
      startRunner: () => Promise<void>;
      registerRunner: () => Promise<string>;
      unregisterRunner: () => Promise<string>;
    };
  const runner = program
    .command('runner')
    .description('the runner agent (configured by SEMAPHORE_RUNNER_*, SEMAPHORE_API_URL and REDIS_URL)')
    .action(async () => {
      await (await runnerApp()).startRunner();
    });
  runner
    .command('start')
    .description('start the runner agent (registers first when it has no token)')
    .action(async () => {
      await (await runnerApp()).startRunner();
    });
  runner
    .command('register')
    .description('register with SEMAPHORE_RUNNER_REGISTRATION_TOKEN and keep the token in the token file')
    .action(async () => {
      out.line(await (await runnerApp()).registerRunner());
    });
  runner
    .command('unregister')
    .description('delete this runner in the api and remove its token file')
    .action(async () => {
      out.line(await (await runnerApp()).unregisterRunner());
    });
}
