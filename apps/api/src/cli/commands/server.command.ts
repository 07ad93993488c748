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

  program
    .command('runner')
    .description('start a runner agent (configured by SEMAPHORE_RUNNER_* and REDIS_URL)')
    .action(async () => {
      // The runner is its own app; the CLI only launches its compiled entry point, it does not link its code.
      const entry = join(__dirname, '../../../../runner/src/main.js');
      const runner = (await import(entry)) as { startRunner: () => Promise<void> };
      await runner.startRunner();
    });
}
