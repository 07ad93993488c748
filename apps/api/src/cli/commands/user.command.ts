import type { Command } from 'commander';
import { UserEntity, createDataSource } from '@semaphore/persistence';
import { databaseConfigFromProcessEnv } from '../../config';
import { hashPassword } from '../../modules/auth/password-hasher';
import { UserRepository } from '../../modules/users/user.repository';
import { validateNewUser } from '../../modules/users/new-user.validation';
import { CliError, type CliOutput } from '../cli-output';

async function withUsers<T>(fn: (users: UserRepository) => Promise<T>): Promise<T> {
  const ds = createDataSource({ ...databaseConfigFromProcessEnv(), poolSize: 1 });
  await ds.initialize();
  try {
    return await fn(new UserRepository(ds.getRepository(UserEntity)));
  } finally {
    await ds.destroy();
  }
}

interface AddOptions {
  login: string;
  name: string;
  email: string;
  password: string;
  admin?: boolean;
}

export function registerUserCommands(program: Command, out: CliOutput): void {
  const user = program.command('user').description('manage users');

  user
    .command('add')
    .description('create a user')
    .requiredOption('--login <login>', 'username')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--email <email>', 'e-mail address')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .option('--admin', 'make the user a system administrator', false)
    .action(async (opts: AddOptions) => {
      const problem = validateNewUser(opts);
      if (problem) throw new CliError(problem);
      await withUsers(async (users) => {
        if (await users.exists(opts.login, opts.email)) {
          throw new CliError(`a user with login ${opts.login} or email ${opts.email} already exists`);
        }
        const created = await users.create({
          username: opts.login,
          name: opts.name,
          email: opts.email,
          passwordHash: await hashPassword(opts.password),
          admin: Boolean(opts.admin),
        });
        out.line(`user ${created.username} created (id ${created.id}${created.admin ? ', admin' : ''})`);
      });
    });

  user
    .command('list')
    .description('list users')
    .action(async () => {
      await withUsers(async (users) => {
        for (const u of await users.list()) {
          out.line([u.id, u.username, u.name, u.email, u.admin ? 'admin' : ''].join('\t').trimEnd());
        }
      });
    });
}
