import type { Command } from 'commander';
import { UserEntity, createDataSource } from '@semaphore/persistence';
import { databaseConfigFromProcessEnv } from '../../config';
import { hashPassword } from '../../modules/auth/password-hasher';
import { UserRepository } from '../../modules/users/user.repository';
import { passwordProblem, validateNewUser } from '../../modules/users/new-user.validation';
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

interface ChangeOptions {
  login?: string;
  email?: string;
  name?: string;
  password?: string;
  admin?: boolean;
  newLogin?: string;
  newEmail?: string;
}

const userLine = (u: UserEntity) => [u.id, u.username, u.name, u.email, u.admin ? 'admin' : ''].join('\t').trimEnd();

/** The user named by `--login` or `--email` (exactly one of them), or a one-line error. */
async function findUser(users: UserRepository, opts: { login?: string; email?: string }): Promise<UserEntity> {
  if (!opts.login === !opts.email) throw new CliError('give either --login or --email');
  const found = await users.findByLogin((opts.login ?? opts.email) as string);
  const matches =
    found &&
    (opts.login
      ? found.username.toLowerCase() === opts.login.toLowerCase()
      : found.email.toLowerCase() === opts.email?.toLowerCase());
  if (!found || !matches)
    throw new CliError(`no user with ${opts.login ? `login ${opts.login}` : `email ${opts.email}`}`);
  return found;
}

/** `change-by-login` / `change-by-email`: the fields given change, the others stay. */
async function changeUser(users: UserRepository, target: UserEntity, opts: ChangeOptions): Promise<string[]> {
  const changes: Record<string, unknown> = {};
  if (opts.name !== undefined) {
    if (!opts.name.trim() || opts.name.length > 255) throw new CliError('name must be 1 to 255 characters');
    changes.name = opts.name;
  }
  const username = opts.newLogin;
  const email = opts.newEmail;
  if (username !== undefined || email !== undefined) {
    const probe = { login: username ?? target.username, name: 'x', email: email ?? target.email, password: 'xxxxxxxx' };
    const problem = validateNewUser(probe);
    if (problem) throw new CliError(problem);
    if (await users.exists(probe.login, probe.email, target.id)) {
      throw new CliError(`another user has login ${probe.login} or email ${probe.email}`);
    }
    if (username !== undefined) changes.username = username;
    if (email !== undefined) changes.email = email;
  }
  if (opts.password !== undefined) {
    const problem = passwordProblem(opts.password);
    if (problem) throw new CliError(problem);
    changes.password = await hashPassword(opts.password);
  }
  if (opts.admin !== undefined) {
    if (!opts.admin && target.admin && (await users.countAdmins()) <= 1)
      throw new CliError('the last admin stays admin');
    changes.admin = opts.admin;
  }
  if (Object.keys(changes).length === 0) throw new CliError('nothing to change: give --name, --password, --admin ...');
  await users.update(target.id, changes);
  return Object.keys(changes);
}

function changeCommand(parent: Command, out: CliOutput, by: 'login' | 'email'): void {
  parent
    .command(`change-by-${by}`)
    .description(`change the user with this ${by === 'login' ? 'login' : 'e-mail'}`)
    .requiredOption(`--${by} <${by}>`, `the user's current ${by}`)
    .option('--name <name>', 'new display name')
    .option('--new-login <login>', 'new username')
    .option('--new-email <email>', 'new e-mail address')
    .option('--password <password>', 'new password (at least 8 characters)')
    .option('--admin', 'make the user an administrator')
    .option('--no-admin', 'make the user a regular user')
    .action(async (opts: ChangeOptions) => {
      await withUsers(async (users) => {
        const target = await findUser(users, { [by]: opts[by] });
        const changed = await changeUser(users, target, opts);
        out.line(`user ${target.username} changed: ${changed.join(', ')}`);
      });
    });
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
        for (const u of await users.list()) out.line(userLine(u));
      });
    });

  user
    .command('get')
    .description('show one user (id, login, name, e-mail, admin)')
    .option('--login <login>', 'username')
    .option('--email <email>', 'e-mail address')
    .action(async (opts: { login?: string; email?: string }) => {
      await withUsers(async (users) => out.line(userLine(await findUser(users, opts))));
    });

  user
    .command('delete')
    .description('delete a user (never the last admin)')
    .option('--login <login>', 'username')
    .option('--email <email>', 'e-mail address')
    .action(async (opts: { login?: string; email?: string }) => {
      await withUsers(async (users) => {
        const target = await findUser(users, opts);
        if (target.admin && (await users.countAdmins()) <= 1) throw new CliError('the last admin cannot be deleted');
        await users.delete(target.id);
        out.line(`user ${target.username} deleted`);
      });
    });

  changeCommand(user, out, 'login');
  changeCommand(user, out, 'email');
}
