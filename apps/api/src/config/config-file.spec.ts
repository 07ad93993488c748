import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, configFileEnv, findConfigFile, readConfigFile } from './config-file';

describe('configFileEnv (upstream config.json -> environment)', () => {
  it('maps the database, server, runner and alert keys', () => {
    const { env, ignored } = configFileEnv(
      {
        dialect: 'postgres',
        postgres: { host: 'db.example:5433', user: 'sem', pass: 'pw', name: 'semdb' },
        port: ':3001',
        tmp_path: '/var/tmp/sem',
        web_host: 'https://sem.example/',
        access_key_encryption: 'a2V5',
        max_parallel_tasks: 4,
        non_admin_can_create_project: true,
        slack_alert: true,
        slack_url: 'https://hooks.slack.example/x',
        runner: { token_file: '/etc/sem/token', max_parallel_tasks: 2 },
        env_vars: { A: '1' },
        ldap_enable: false,
        oidc_providers: {},
      },
      'c.json',
    );
    expect(env).toEqual({
      SEMAPHORE_DB_HOST: 'db.example',
      SEMAPHORE_DB_PORT: '5433',
      SEMAPHORE_DB_USER: 'sem',
      SEMAPHORE_DB_PASS: 'pw',
      SEMAPHORE_DB: 'semdb',
      SEMAPHORE_PORT: '3001',
      SEMAPHORE_TMP_PATH: '/var/tmp/sem',
      SEMAPHORE_WEB_ROOT: 'https://sem.example/',
      SEMAPHORE_ACCESS_KEY_ENCRYPTION: 'a2V5',
      SEMAPHORE_MAX_PARALLEL_TASKS: '4',
      SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT: 'true',
      SEMAPHORE_SLACK_ALERT: 'true',
      SEMAPHORE_SLACK_URL: 'https://hooks.slack.example/x',
      SEMAPHORE_RUNNER_TOKEN_FILE: '/etc/sem/token',
      SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '2',
      SEMAPHORE_ENV_VARS: '{"A":"1"}',
    });
    expect(ignored).toEqual(['ldap_enable', 'oidc_providers']);
  });

  it('refuses other dialects and wrong types, naming the key', () => {
    expect(() => configFileEnv({ dialect: 'bolt' }, 'c.json')).toThrow('dialect bolt is not supported');
    expect(() => configFileEnv({ port: { a: 1 } }, 'c.json')).toThrow('port must be a string');
    expect(() => configFileEnv({ postgres: 'x' }, 'c.json')).toThrow('postgres must be an object');
    expect(() => configFileEnv([], 'c.json')).toThrow(ConfigFileError);
  });

  describe('finding and reading the file', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'semtest-config-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('prefers --config, then SEMAPHORE_CONFIG_PATH; --no-config reads nothing; a named missing file is an error', () => {
      const a = join(dir, 'a.json');
      writeFileSync(a, '{}');
      expect(findConfigFile({ explicit: a }, '/nope.json')).toBe(a);
      expect(findConfigFile({}, a)).toBe(a);
      expect(findConfigFile({ disabled: true, explicit: a })).toBeNull();
      expect(() => findConfigFile({ explicit: join(dir, 'missing.json') })).toThrow('does not exist');
    });

    it('says when the file is not JSON', () => {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ nope');
      expect(() => readConfigFile(bad)).toThrow(/bad\.json: not valid JSON/);
    });
  });
});
