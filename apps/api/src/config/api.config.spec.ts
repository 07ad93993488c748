import { ConfigError } from '@semaphore/config';
import { loadApiConfig } from './api.config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const valid = { SEMAPHORE_ACCESS_KEY_ENCRYPTION: KEY, SEMAPHORE_COOKIE_HASH: KEY };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadApiConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('api config', () => {
  it('has upstream defaults', () => {
    const c = loadApiConfig(valid);
    expect(c.http.port).toBe(3000);
    expect(c.db).toMatchObject({ host: '127.0.0.1', port: 5432, username: 'postgres', database: 'semaphore' });
    expect(c.redis).toMatchObject({ url: 'redis://127.0.0.1:6379', prefix: 'sem' });
    expect(c.tasks).toEqual({
      maxParallelTasks: 10,
      tmpPath: '/tmp/semaphore',
      runnerLostAfterMs: 30_000,
      maxTaskDurationSec: 0,
    });
    expect(c.runners.registrationToken).toBeNull();
    expect(c.artifacts).toEqual({ path: '/tmp/semaphore/artifacts', maxBytes: 10 * 1024 ** 3 });
    expect(c.secrets.accessKeyEncryption).toHaveLength(32);
  });

  it('reads the upstream SEMAPHORE_* names', () => {
    const c = loadApiConfig({
      ...valid,
      SEMAPHORE_DB_HOST: 'db.local',
      SEMAPHORE_DB_PORT: '6543',
      SEMAPHORE_DB_USER: 'sem',
      SEMAPHORE_DB_PASS: 'pw',
      SEMAPHORE_DB: 'semdb',
      SEMAPHORE_PORT: ':8080',
      SEMAPHORE_TMP_PATH: '/var/tmp/sem',
      SEMAPHORE_MAX_PARALLEL_TASKS: '0',
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: 'a-long-registration-token',
      SEMAPHORE_WEB_ROOT: 'https://ops.example.com/semaphore',
      SEMAPHORE_REDIS_PREFIX: 'prod:sem',
    });
    expect(c.db).toMatchObject({ host: 'db.local', port: 6543, username: 'sem', password: 'pw', database: 'semdb' });
    expect(c.http.port).toBe(8080);
    expect(c.http.webRoot).toBe('https://ops.example.com/semaphore/');
    expect(c.tasks).toMatchObject({ maxParallelTasks: 0, tmpPath: '/var/tmp/sem' });
    expect(c.runners.registrationToken).toBe('a-long-registration-token');
    expect(c.redis.prefix).toBe('prod:sem');
  });

  it('puts artifacts under the tmp path unless SEMAPHORE_ARTIFACTS_PATH says otherwise', () => {
    expect(loadApiConfig({ ...valid, SEMAPHORE_TMP_PATH: '/var/tmp/sem' }).artifacts.path).toBe(
      '/var/tmp/sem/artifacts',
    );
    const c = loadApiConfig({
      ...valid,
      SEMAPHORE_ARTIFACTS_PATH: '/srv/shared/artifacts/',
      SEMAPHORE_MAX_ARTIFACT_BYTES: '1048576',
    });
    expect(c.artifacts).toEqual({ path: '/srv/shared/artifacts', maxBytes: 1_048_576 });
    expect(loadApiConfig({ ...valid, SEMAPHORE_ARTIFACTS_PATH: 'rel/dir' }).artifacts.path).toBe(
      `${process.cwd()}/rel/dir`,
    );
  });

  it('prefers DATABASE_URL, decoding its parts', () => {
    const c = loadApiConfig({
      ...valid,
      DATABASE_URL: 'postgres://u%40x:p%2Fw@pg:5433/my_db',
      SEMAPHORE_DB_HOST: 'ignored',
    });
    expect(c.db).toMatchObject({ host: 'pg', port: 5433, username: 'u@x', password: 'p/w', database: 'my_db' });
  });

  it.each([
    [{ SEMAPHORE_ACCESS_KEY_ENCRYPTION: '' }, 'SEMAPHORE_ACCESS_KEY_ENCRYPTION is required'],
    [
      { SEMAPHORE_ACCESS_KEY_ENCRYPTION: Buffer.alloc(16).toString('base64') },
      'SEMAPHORE_ACCESS_KEY_ENCRYPTION must be base64 of 32 bytes',
    ],
    [{ SEMAPHORE_ACCESS_KEY_ENCRYPTION: 'not base64!!' }, 'SEMAPHORE_ACCESS_KEY_ENCRYPTION must be base64'],
    [
      { SEMAPHORE_COOKIE_HASH: Buffer.alloc(8).toString('base64') },
      'SEMAPHORE_COOKIE_HASH must be base64 of at least 32 bytes',
    ],
    [{ SEMAPHORE_PORT: '70000' }, 'SEMAPHORE_PORT must be an integer from 1 to 65535'],
    [{ SEMAPHORE_DB_PORT: 'abc' }, 'SEMAPHORE_DB_PORT must be an integer'],
    [{ SEMAPHORE_MAX_PARALLEL_TASKS: '-1' }, 'SEMAPHORE_MAX_PARALLEL_TASKS must be an integer from 0'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must be a URL with scheme redis: or rediss:'],
    [{ DATABASE_URL: 'postgres://localhost' }, 'DATABASE_URL must name a database'],
    [{ SEMAPHORE_WEB_ROOT: 'ftp://x' }, 'SEMAPHORE_WEB_ROOT must be a URL'],
    [{ SEMAPHORE_REDIS_PREFIX: 'a b' }, 'SEMAPHORE_REDIS_PREFIX must be'],
    [{ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: 'short' }, 'SEMAPHORE_RUNNER_REGISTRATION_TOKEN must be at least 16'],
    [{ SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT: 'maybe' }, 'SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT must be a boolean'],
    [{ SEMAPHORE_MAX_ARTIFACT_BYTES: '0' }, 'SEMAPHORE_MAX_ARTIFACT_BYTES must be an integer from 1'],
    [{ SEMAPHORE_MAX_ARTIFACT_BYTES: '10GiB' }, 'SEMAPHORE_MAX_ARTIFACT_BYTES must be an integer'],
    [{ SEMAPHORE_LOG_LEVEL: 'loud' }, 'SEMAPHORE_LOG_LEVEL must be one of'],
  ])('rejects %j naming the variable', (override, message) => {
    const err = errorOf({ ...valid, ...override });
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('never repeats a secret value in its error', () => {
    const secret = 'c2VjcmV0LXNob3J0';
    const err = errorOf({ ...valid, SEMAPHORE_ACCESS_KEY_ENCRYPTION: secret });
    expect(err.message).not.toContain(secret);
  });
});
