import { existsSync, readFileSync } from 'node:fs';

/** Where upstream looks for `config.json` when neither `--config` nor `SEMAPHORE_CONFIG_PATH` names one. */
export const DEFAULT_CONFIG_PATHS = [
  './config.json',
  '/usr/local/etc/semaphore/config.json',
  '/etc/semaphore/config.json',
];

/** Top-level JSON keys (upstream's `config.json` names) and the environment variable each one sets. */
const SCALAR_KEYS: Record<string, string> = {
  port: 'SEMAPHORE_PORT',
  interface: 'SEMAPHORE_INTERFACE',
  tmp_path: 'SEMAPHORE_TMP_PATH',
  web_host: 'SEMAPHORE_WEB_ROOT',
  cookie_hash: 'SEMAPHORE_COOKIE_HASH',
  cookie_encryption: 'SEMAPHORE_COOKIE_ENCRYPTION',
  access_key_encryption: 'SEMAPHORE_ACCESS_KEY_ENCRYPTION',
  max_task_duration_sec: 'SEMAPHORE_MAX_TASK_DURATION_SEC',
  max_parallel_tasks: 'SEMAPHORE_MAX_PARALLEL_TASKS',
  runner_registration_token: 'SEMAPHORE_RUNNER_REGISTRATION_TOKEN',
  password_login_disable: 'SEMAPHORE_PASSWORD_LOGIN_DISABLED',
  non_admin_can_create_project: 'SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT',
  global_integration_alias: 'SEMAPHORE_INTEGRATION_ALIAS',
  log_level: 'SEMAPHORE_LOG_LEVEL',
  // Ours: Redis is part of every deployment here.
  redis_url: 'REDIS_URL',
  redis_prefix: 'SEMAPHORE_REDIS_PREFIX',
};

/** Alert settings: `<channel>_<field>` -> `SEMAPHORE_<CHANNEL>_<FIELD>`, as upstream. */
const ALERT_KEY = /^(email|telegram|slack|rocketchat|microsoft_teams|dingtalk|gotify|webhook)_[a-z_]+$/;

export class ConfigFileError extends Error {}

export interface ConfigFileEnv {
  path: string;
  env: Record<string, string>;
  /** Keys this server does not use (LDAP, OIDC, other dialects' settings, unknown ones): reported, not fatal. */
  ignored: string[];
}

/**
 * The file's settings as environment variables, by upstream's rules: `postgres {host, user, pass, name}`, the
 * `runner` object, alert keys, `env_vars` / `forwarded_env_vars` as JSON strings. Only the PostgreSQL dialect is
 * served here: a `dialect` of `mysql` or `bolt` is an error, not a silent fallback.
 * @throws ConfigFileError naming the key
 */
export function configFileEnv(json: unknown, path: string): ConfigFileEnv {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigFileError(`${path}: must hold a JSON object`);
  }
  const env: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (value === null || value === undefined || value === '') continue;
    if (key === 'dialect' && value !== 'postgres') {
      throw new ConfigFileError(`${path}: dialect ${String(value)} is not supported (only postgres)`);
    }
    if (key === 'postgres') Object.assign(env, postgresEnv(value, path));
    else if (key === 'runner') Object.assign(env, runnerEnv(value, path));
    else if (key === 'env_vars') env.SEMAPHORE_ENV_VARS = JSON.stringify(value);
    else if (key === 'forwarded_env_vars') env.SEMAPHORE_FORWARDED_ENV_VARS = JSON.stringify(value);
    else if (SCALAR_KEYS[key]) {
      const text = scalar(value, key, path);
      env[SCALAR_KEYS[key]] = key === 'port' ? text.replace(/^:/, '') : text;
    } else if (ALERT_KEY.test(key)) env[`SEMAPHORE_${key.toUpperCase()}`] = scalar(value, key, path);
    else if (key !== 'dialect') ignored.push(key);
  }
  return { path, env, ignored };
}

function scalar(value: unknown, key: string, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ConfigFileError(`${path}: ${key} must be a string, number or boolean`);
}

function objectAt(value: unknown, key: string, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigFileError(`${path}: ${key} must be an object`);
  }
  return value as Record<string, unknown>;
}

function postgresEnv(value: unknown, path: string): Record<string, string> {
  const pg = objectAt(value, 'postgres', path);
  const env: Record<string, string> = {};
  if (pg.host !== undefined && pg.host !== '') {
    const host = scalar(pg.host, 'postgres.host', path);
    const match = /^(.*):(\d+)$/.exec(host);
    env.SEMAPHORE_DB_HOST = match ? match[1] : host;
    if (match) env.SEMAPHORE_DB_PORT = match[2];
  }
  if (pg.user !== undefined) env.SEMAPHORE_DB_USER = scalar(pg.user, 'postgres.user', path);
  if (pg.pass !== undefined) env.SEMAPHORE_DB_PASS = scalar(pg.pass, 'postgres.pass', path);
  if (pg.name !== undefined) env.SEMAPHORE_DB = scalar(pg.name, 'postgres.name', path);
  return env;
}

function runnerEnv(value: unknown, path: string): Record<string, string> {
  const runner = objectAt(value, 'runner', path);
  const names: Record<string, string> = {
    token_file: 'SEMAPHORE_RUNNER_TOKEN_FILE',
    max_parallel_tasks: 'SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS',
    webhook: 'SEMAPHORE_RUNNER_WEBHOOK',
    one_off: 'SEMAPHORE_RUNNER_ONE_OFF',
  };
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(names)) {
    if (runner[key] !== undefined && runner[key] !== '') env[name] = scalar(runner[key], `runner.${key}`, path);
  }
  return env;
}

/**
 * The config file to read, upstream's order: `--config`, else `SEMAPHORE_CONFIG_PATH`, else the first default path
 * that exists; none with `--no-config`. A named file that does not exist is an error.
 */
export function findConfigFile(opts: { explicit?: string; disabled?: boolean }, envPath?: string): string | null {
  if (opts.disabled) return null;
  const named = opts.explicit ?? envPath;
  if (named) {
    if (!existsSync(named)) throw new ConfigFileError(`config file ${named} does not exist`);
    return named;
  }
  return DEFAULT_CONFIG_PATHS.find((p) => existsSync(p)) ?? null;
}

/** Reads and maps a config file. @throws ConfigFileError */
export function readConfigFile(path: string): ConfigFileEnv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    return configFileEnv(JSON.parse(text), path);
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    throw new ConfigFileError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}
