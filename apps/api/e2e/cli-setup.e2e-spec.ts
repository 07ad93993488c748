import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserEntity } from '@semaphore/persistence';
import { createTestDatabase, runCli, type TestDatabase } from '@semaphore/testing';

/** `semaphore setup -` with upstream's answers on stdin, then the written config used through `--config`. */
describe('semaphore CLI: setup and --config', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'semtest-setup-'));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  const answers = (dialect: string) =>
    [
      dialect,
      `${db.connection.host}:${db.connection.port}`,
      db.connection.username,
      db.connection.password,
      db.connection.database,
      join(dir, 'tmp'),
      'https://sem.example/',
      'no', // email
      'no', // telegram
      'yes', // slack
      'https://hooks.slack.example/T0/B0/x',
      'no', // rocket.chat
      'no', // teams
      'no', // ldap
      dir,
      'chief',
      'chief@example.com',
      'Chief Admin',
      'a long enough password',
    ].join('\n') + '\n';

  it('writes config.json (0600, fresh secrets), migrates and creates the admin', async () => {
    const result = await runCli(['--no-config', 'setup', '-'], {}, answers('3'));
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const path = join(dir, 'config.json');
    expect(result.stdout).toContain(`Configuration written to ${path}`);
    expect(result.stdout).toContain('admin chief created');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      dialect: 'postgres',
      postgres: { name: db.connection.database, user: db.connection.username },
      tmp_path: join(dir, 'tmp'),
      web_host: 'https://sem.example/',
      slack_alert: true,
      slack_url: 'https://hooks.slack.example/T0/B0/x',
    });
    for (const key of ['cookie_hash', 'cookie_encryption', 'access_key_encryption']) {
      expect(Buffer.from(String(config[key]), 'base64')).toHaveLength(32);
    }
    const admin = await db.dataSource.getRepository(UserEntity).findOneByOrFail({ username: 'chief' });
    expect(admin).toMatchObject({ admin: true, email: 'chief@example.com', name: 'Chief Admin' });
    expect(admin.password).not.toContain('a long enough password');

    // The same config reaches the database through --config and through SEMAPHORE_CONFIG_PATH.
    const listed = await runCli(['--config', path, 'user', 'list'], {});
    expect(listed.code).toBe(0);
    expect(listed.stdout.join('\n')).toContain('chief');
    const viaEnv = await runCli(['user', 'get', '--login', 'chief'], { SEMAPHORE_CONFIG_PATH: path });
    expect(viaEnv.stdout.join('\n')).toContain('chief@example.com');
    // The environment overrides the file: a wrong database name from the environment wins.
    const overridden = await runCli(['--config', path, 'user', 'list'], { SEMAPHORE_DB: 'no_such_database_here' });
    expect(overridden.code).not.toBe(0);

    const again = await runCli(['--no-config', 'setup', '-'], {}, answers('3'));
    expect(again.code).toBe(1);
    expect(again.stderr).toEqual([`error: ${path} exists: move it away or pass --force`]);
  }, 60_000);

  it('refuses other databases and a missing config file with one line and a non-zero exit', async () => {
    const bolt = await runCli(['--no-config', 'setup', '-'], {}, answers('2'));
    expect(bolt.code).toBe(1);
    expect(bolt.stderr).toEqual(['error: database 2 is not supported: this server runs on PostgreSQL (3)']);
    const missing = await runCli(['--config', join(dir, 'missing.json'), 'user', 'list'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toEqual([`error: config file ${join(dir, 'missing.json')} does not exist`]);
  }, 30_000);
});
