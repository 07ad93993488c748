import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserEntity, createDataSource } from '@semaphore/persistence';
import { applyConfigFile, databaseConfigFromProcessEnv } from '../../config';
import { migrateDatabase } from '../../database/migrate';
import { hashPassword } from '../../modules/auth/password-hasher';
import { UserRepository } from '../../modules/users/user.repository';
import { validateNewUser } from '../../modules/users/new-user.validation';
import { CliError, type CliOutput } from '../cli-output';
import { AnswerReader, askServerConfig } from '../setup-answers';

/**
 * `semaphore setup [-]`: asks upstream's questions (on a terminal, or answers piped on stdin one per line), writes
 * `config.json` (0600, fresh secrets), applies the migrations and creates the first admin.
 */
export function registerSetupCommand(program: Command, out: CliOutput): void {
  program
    .command('setup')
    .description('write config.json, migrate the database and create an admin (answers may be piped on stdin)')
    .argument('[stdin]', '"-": read the answers from standard input (the default anyway)')
    .option('--force', 'overwrite an existing config.json', false)
    .action(async (_stdin: string | undefined, opts: { force: boolean }) => {
      const ask = new AnswerReader(process.stdin, out);
      const { config, configDir } = await askServerConfig(ask, out);
      const path = join(resolve(configDir), 'config.json');
      if (existsSync(path) && !opts.force) throw new CliError(`${path} exists: move it away or pass --force`);
      mkdirSync(resolve(configDir), { recursive: true });
      writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
      out.line(`Configuration written to ${path}`);
      applyConfigFile({ explicit: path });
      const db = databaseConfigFromProcessEnv();
      out.line('Running database migrations...');
      const applied = await migrateDatabase(db);
      out.line(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
      const admin = {
        login: await ask.ask('Username', 'admin'),
        email: await ask.ask('Email', 'admin@localhost'),
        name: await ask.ask('Your name', 'Admin'),
        password: await ask.ask('Password'),
      };
      const problem = validateNewUser(admin);
      if (problem) throw new CliError(`admin: ${problem}`);
      const ds = createDataSource({ ...db, poolSize: 1 });
      await ds.initialize();
      try {
        const users = new UserRepository(ds.getRepository(UserEntity));
        if (await users.exists(admin.login, admin.email)) {
          out.line(`user ${admin.login} already exists: not changed`);
        } else {
          await users.create({
            username: admin.login,
            name: admin.name,
            email: admin.email,
            passwordHash: await hashPassword(admin.password),
            admin: true,
          });
          out.line(`admin ${admin.login} created`);
        }
      } finally {
        await ds.destroy();
      }
      out.line(`Run the server with: semaphore server --config ${path}`);
    });
}
