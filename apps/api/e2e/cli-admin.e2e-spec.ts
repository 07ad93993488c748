import { randomBytes } from 'node:crypto';
import { AccessKeyType } from '@semaphore/models';
import { AccessKeyEntity, EnvironmentSecretEntity, UserEntity } from '@semaphore/persistence';
import { Factories, createTestDatabase, runCli, type TestDatabase } from '@semaphore/testing';
import { SecretCipher } from '../src/crypto';

const cli = runCli;

/** `semaphore user get|delete|change-by-login|change-by-email` and `semaphore vault rekey`. */
describe('semaphore CLI: user administration and vault rekey', () => {
  let db: TestDatabase;
  let f: Factories;
  let env: Record<string, string>;
  const users = () => db.dataSource.getRepository(UserEntity);

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
    const c = db.connection;
    env = {
      SEMAPHORE_DB_HOST: c.host,
      SEMAPHORE_DB_PORT: String(c.port),
      SEMAPHORE_DB_USER: c.username,
      SEMAPHORE_DB_PASS: c.password,
      SEMAPHORE_DB: c.database,
    };
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('gets, changes and deletes users by login or e-mail; the last admin stays', async () => {
    const admin = await f.user({ username: 'root', email: 'root@example.com', admin: true });
    const bob = await f.user({ username: 'bob', email: 'bob@example.com', name: 'Bob' });

    expect(await cli(['user', 'get', '--login', 'BOB'], env)).toMatchObject({
      code: 0,
      stdout: [`${bob.id}\tbob\tBob\tbob@example.com`],
    });
    expect((await cli(['user', 'get', '--email', 'root@example.com'], env)).stdout).toEqual([
      expect.stringMatching(/^\d+\troot\t.*\troot@example.com\tadmin$/),
    ]);
    expect(await cli(['user', 'get', '--login', 'nobody'], env)).toMatchObject({
      code: 1,
      stderr: ['error: no user with login nobody'],
    });
    expect((await cli(['user', 'get'], env)).stderr).toEqual(['error: give either --login or --email']);
    // --login names a username, not an e-mail.
    expect((await cli(['user', 'get', '--login', 'bob@example.com'], env)).code).toBe(1);

    const changed = await cli(
      ['user', 'change-by-login', '--login', 'bob', '--name', 'Robert', '--password', 'new-password-1', '--admin'],
      env,
    );
    expect(changed).toMatchObject({ code: 0, stdout: ['user bob changed: name, password, admin'] });
    const row = await users().findOneByOrFail({ id: bob.id });
    expect([row.name, row.admin, row.password.startsWith('$2')]).toEqual(['Robert', true, true]);
    expect(row.password).not.toBe(bob.password);

    expect(
      (await cli(['user', 'change-by-email', '--email', 'bob@example.com', '--new-login', 'root'], env)).stderr,
    ).toEqual(['error: another user has login root or email bob@example.com']);
    expect(
      (await cli(['user', 'change-by-email', '--email', 'bob@example.com', '--password', 'short'], env)).stderr,
    ).toEqual(['error: password must be at least 8 characters']);
    expect((await cli(['user', 'change-by-email', '--email', 'bob@example.com', '--no-admin'], env)).code).toBe(0);
    expect((await users().findOneByOrFail({ id: bob.id })).admin).toBe(false);
    expect((await cli(['user', 'change-by-login', '--login', 'root', '--no-admin'], env)).stderr).toEqual([
      'error: the last admin stays admin',
    ]);

    expect((await cli(['user', 'delete', '--login', 'root'], env)).stderr).toEqual([
      'error: the last admin cannot be deleted',
    ]);
    expect(await cli(['user', 'delete', '--email', 'bob@example.com'], env)).toMatchObject({
      code: 0,
      stdout: ['user bob deleted'],
    });
    expect(await users().existsBy({ id: bob.id })).toBe(false);
    expect(await users().existsBy({ id: admin.id })).toBe(true);
  });

  it('vault rekey re-encrypts every secret in one go; a wrong old key changes nothing; running it twice is safe', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const before = new SecretCipher(oldKey);
    const project = await f.project();
    const key = await f.accessKey(project.id, {
      type: AccessKeyType.LoginPassword,
      secret: before.encryptLoginPassword({ login: 'deploy', password: 'pw-1' }),
    });
    const environment = await f.environment(project.id);
    const secret = await db.dataSource.getRepository(EnvironmentSecretEntity).save({
      environmentId: environment.id,
      type: 'env',
      name: 'API_TOKEN',
      secret: before.encrypt('token-value'),
    } as EnvironmentSecretEntity);
    const serverEnv = {
      ...env,
      SEMAPHORE_ACCESS_KEY_ENCRYPTION: newKey,
      SEMAPHORE_COOKIE_HASH: randomBytes(32).toString('base64'),
    };

    const wrong = await cli(['vault', 'rekey', '--old-key', randomBytes(32).toString('base64')], serverEnv);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toEqual([
      expect.stringMatching(/^error: access key \d+ cannot be decrypted with the old key/),
    ]);
    const keys = db.dataSource.getRepository(AccessKeyEntity);
    expect(before.decryptLoginPassword((await keys.findOneByOrFail({ id: key.id })).secret as string).password).toBe(
      'pw-1',
    );

    const ok = await cli(['vault', 'rekey', '--old-key', oldKey], serverEnv);
    expect(ok.code).toBe(0);
    expect(ok.stdout[ok.stdout.length - 1]).toMatch(/^re-encrypted \d+ access keys, 1 environment secrets/);
    const after = new SecretCipher(newKey);
    expect(after.decryptLoginPassword((await keys.findOneByOrFail({ id: key.id })).secret as string).password).toBe(
      'pw-1',
    );
    const stored = await db.dataSource.getRepository(EnvironmentSecretEntity).findOneByOrFail({ id: secret.id });
    expect(after.decrypt(stored.secret)).toBe('token-value');

    const again = await cli(['vault', 'rekey', '--old-key', oldKey], serverEnv);
    expect(again.code).toBe(0);
    expect(again.stdout[again.stdout.length - 1]).toMatch(
      /0 access keys, 0 environment secrets.*already under the new key/,
    );
    expect((await cli(['vault', 'rekey', '--old-key', 'short'], serverEnv)).stderr).toEqual([
      'error: --old-key must be the base64 of 32 bytes',
    ]);
  });
});
