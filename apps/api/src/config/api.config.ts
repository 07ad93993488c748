import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  EnvReader,
  parseBase64Key,
  parseBool,
  parseEnum,
  parseInteger,
  parsePort,
  parseUrl,
  type Env,
} from '@semaphore/config';
import type { DatabaseConnectionConfig } from '@semaphore/persistence';
import { loadNotificationsConfig, type NotificationsConfig } from './notifications.config';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The api's whole configuration, validated once at start and injected (`constructor(private config: ApiConfig)`).
 * Nothing else in the api reads process.env.
 */
export class ApiConfig {
  http!: { host: string; port: number; webRoot: string };
  db!: DatabaseConnectionConfig;
  redis!: { url: string; prefix: string; commandTimeoutMs: number };
  secrets!: { accessKeyEncryption: Buffer; cookieHash: Buffer };
  tasks!: { maxParallelTasks: number; tmpPath: string; runnerLostAfterMs: number; maxTaskDurationSec: number };
  runners!: { registrationToken: string | null };
  /**
   * Files runners hand over from their tasks (`SEMAPHORE_ARTIFACTS_PATH`, absolute; every api replica must see the
   * same directory) and the largest accepted upload (`SEMAPHORE_MAX_ARTIFACT_BYTES`).
   */
  artifacts!: { path: string; maxBytes: number };
  /** `SEMAPHORE_INTEGRATION_ALIAS`: the webhook alias that reaches every searchable integration of every project. */
  integrations!: { globalAlias: string | null };
  auth!: { nonAdminCanCreateProject: boolean; passwordLoginDisabled: boolean };
  /** Task alerts: channels (e-mail, chats, webhook), the outgoing address policy and delivery retries. */
  notifications!: NotificationsConfig;
  log!: { level: LogLevel };
  /** Identifies this api process in the cluster (logs, Redis bookkeeping). */
  nodeId!: string;
}

function parseDatabaseUrl(raw: string): Omit<DatabaseConnectionConfig, 'poolSize'> {
  const url = parseUrl(raw, ['postgres:', 'postgresql:']);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('must name a database (postgres://user:pass@host:5432/name)');
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? parsePort(url.port) : 5432,
    username: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database,
  };
}

function loadDb(r: EnvReader): DatabaseConnectionConfig {
  const poolSize = r.withDefault('SEMAPHORE_DB_POOL_SIZE', (s) => parseInteger(s, 1, 200), 10);
  const fromUrl = r.optional('DATABASE_URL', parseDatabaseUrl);
  if (fromUrl) return { ...fromUrl, poolSize };
  return {
    host: r.string('SEMAPHORE_DB_HOST', '127.0.0.1'),
    port: r.withDefault('SEMAPHORE_DB_PORT', parsePort, 5432),
    username: r.string('SEMAPHORE_DB_USER', 'postgres'),
    password: r.string('SEMAPHORE_DB_PASS', ''),
    database: r.string(['SEMAPHORE_DB', 'SEMAPHORE_DB_NAME'], 'semaphore'),
    poolSize,
  };
}

export function loadApiConfig(env: Env): ApiConfig {
  const r = new EnvReader(env);
  const config = new ApiConfig();
  const port = r.withDefault('SEMAPHORE_PORT', parsePort, 3000);
  config.http = {
    host: r.string('SEMAPHORE_INTERFACE', '0.0.0.0'),
    port,
    webRoot: r
      .withDefault(
        'SEMAPHORE_WEB_ROOT',
        (s) => parseUrl(s, ['http:', 'https:']).toString(),
        `http://localhost:${port}/`,
      )
      .replace(/\/*$/, '/'),
  };
  config.db = loadDb(r);
  config.redis = {
    url: r.withDefault('REDIS_URL', (s) => parseUrl(s, ['redis:', 'rediss:']).toString(), 'redis://127.0.0.1:6379'),
    prefix: r.withDefault(
      'SEMAPHORE_REDIS_PREFIX',
      (s) => {
        if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(s)) throw new Error('must be 1-64 characters of A-Z a-z 0-9 _ . : -');
        return s;
      },
      'sem',
    ),
    commandTimeoutMs: r.withDefault('SEMAPHORE_REDIS_TIMEOUT_MS', (s) => parseInteger(s, 50, 60_000), 2_000),
  };
  const keyHint = 'generate one with: head -c32 /dev/urandom | base64';
  config.secrets = {
    accessKeyEncryption: r.required('SEMAPHORE_ACCESS_KEY_ENCRYPTION', (s) => parseBase64Key(s, 32), keyHint),
    cookieHash: r.required('SEMAPHORE_COOKIE_HASH', (s) => parseBase64Key(s, 32, true), keyHint),
  };
  config.tasks = {
    maxParallelTasks: r.withDefault('SEMAPHORE_MAX_PARALLEL_TASKS', (s) => parseInteger(s, 0, 100_000), 10),
    tmpPath: r.string('SEMAPHORE_TMP_PATH', '/tmp/semaphore'),
    runnerLostAfterMs: 1000 * r.withDefault('SEMAPHORE_RUNNER_LOST_AFTER_SECONDS', (s) => parseInteger(s, 5, 3600), 30),
    maxTaskDurationSec: r.withDefault('SEMAPHORE_MAX_TASK_DURATION_SEC', (s) => parseInteger(s, 0, 30 * 86400), 0),
  };
  config.runners = {
    registrationToken:
      r.optional('SEMAPHORE_RUNNER_REGISTRATION_TOKEN', (s) => {
        if (s.length < 16) throw new Error('must be at least 16 characters');
        return s;
      }) ?? null,
  };
  config.artifacts = {
    path: resolve(r.string('SEMAPHORE_ARTIFACTS_PATH', join(config.tasks.tmpPath, 'artifacts'))),
    maxBytes: r.withDefault(
      'SEMAPHORE_MAX_ARTIFACT_BYTES',
      (s) => parseInteger(s, 1, Number.MAX_SAFE_INTEGER),
      10 * 1024 ** 3,
    ),
  };
  config.integrations = {
    globalAlias:
      r.optional('SEMAPHORE_INTEGRATION_ALIAS', (s) => {
        if (!/^[A-Za-z0-9_-]{16,64}$/.test(s)) throw new Error('must be 16 to 64 letters, digits, _ or -');
        return s;
      }) ?? null,
  };
  config.auth = {
    nonAdminCanCreateProject: r.withDefault('SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT', parseBool, false),
    passwordLoginDisabled: r.withDefault('SEMAPHORE_PASSWORD_LOGIN_DISABLED', parseBool, false),
  };
  config.notifications = loadNotificationsConfig(r);
  config.log = {
    level: r.withDefault('SEMAPHORE_LOG_LEVEL', (s) => parseEnum(s, LOG_LEVELS), 'info'),
  };
  config.nodeId = r.string('SEMAPHORE_NODE_ID', `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`);
  return config;
}

/** The subset the CLI's database commands need: no secrets required. */
export function loadDatabaseConfig(env: Env): DatabaseConnectionConfig {
  return loadDb(new EnvReader(env));
}
