import { createEmptyDatabase, runCli } from '@semaphore/testing';
import type { DatabaseConnectionConfig } from '@semaphore/persistence';

const cli = runCli;

function dbEnv(db: DatabaseConnectionConfig): Record<string, string> {
  return {
    SEMAPHORE_DB_HOST: db.host,
    SEMAPHORE_DB_PORT: String(db.port),
    SEMAPHORE_DB_USER: db.username,
    SEMAPHORE_DB_PASS: db.password,
    SEMAPHORE_DB: db.database,
  };
}

describe('semaphore CLI', () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    env = dbEnv(db.connection);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('prints the version', async () => {
    const res = await cli(['version'], {});
    expect(res.code).toBe(0);
    expect(res.stdout).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+/)]);
  });

  it('migrates an empty database, then finds nothing to do', async () => {
    const first = await cli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout.join('\n')).toMatch(/^applied \d+ migration\(s\): Initial/);
    const second = await cli(['migrate'], env);
    expect(second).toMatchObject({ code: 0, stdout: ['database is up to date'] });
  });

  it('adds users, refuses duplicates case-insensitively and bad input naming the field, and lists them', async () => {
    const add = await cli(
      [
        'user',
        'add',
        '--login',
        'admin',
        '--name',
        'Admin',
        '--email',
        'admin@example.com',
        '--password',
        'correct-horse',
        '--admin',
      ],
      env,
    );
    expect(add).toMatchObject({ code: 0, stdout: [expect.stringMatching(/^user admin created \(id \d+, admin\)$/)] });

    const dup = await cli(
      [
        'user',
        'add',
        '--login',
        'ADMIN',
        '--name',
        'Other',
        '--email',
        'other@example.com',
        '--password',
        'correct-horse',
      ],
      env,
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toEqual([expect.stringContaining('already exists')]);

    const badEmail = await cli(
      ['user', 'add', '--login', 'bob', '--name', 'Bob', '--email', 'not-an-email', '--password', 'correct-horse'],
      env,
    );
    expect(badEmail).toMatchObject({ code: 1, stderr: ['error: email must be an e-mail address'] });

    const shortPassword = await cli(
      ['user', 'add', '--login', 'bob', '--name', 'Bob', '--email', 'bob@example.com', '--password', 'short'],
      env,
    );
    expect(shortPassword).toMatchObject({ code: 1, stderr: ['error: password must be at least 8 characters'] });

    const missing = await cli(['user', 'add', '--login', 'bob'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.join('\n')).toContain("required option '--name <name>' not specified");

    const list = await cli(['user', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toEqual([expect.stringMatching(/^\d+\tadmin\tAdmin\tadmin@example.com\tadmin$/)]);
  });

  it('stops with exit code 78 and one line naming an invalid variable', async () => {
    const res = await cli(['migrate'], { ...env, SEMAPHORE_DB_PORT: 'five' });
    expect(res.code).toBe(78);
    expect(res.stderr).toEqual(['semaphore: configuration error: SEMAPHORE_DB_PORT must be an integer']);
  });

  it('refuses to start the server without the encryption key', async () => {
    const res = await cli(['server'], { ...env, SEMAPHORE_COOKIE_HASH: Buffer.alloc(32, 1).toString('base64') });
    expect(res.code).toBe(78);
    expect(res.stderr).toHaveLength(1);
    expect(res.stderr[0]).toMatch(/^semaphore: configuration error: SEMAPHORE_ACCESS_KEY_ENCRYPTION is required/);
  });
});
