import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EnvReader, parseEnum, parseInteger, parseList, parseUrl, type Env } from '@semaphore/config';

export const RUNNER_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The runner's whole configuration, validated once at start and injected. The runner has no database settings. */
export class RunnerConfig {
  apiUrl!: string;
  redis!: { url: string; prefix: string; commandTimeoutMs: number };
  runner!: {
    name: string;
    tokenFile: string;
    registrationToken: string | null;
    maxParallelTasks: number;
    tags: string[];
  };
  tmpPath!: string;
  log!: { level: (typeof RUNNER_LOG_LEVELS)[number] };
  instanceId!: string;
}

export function loadRunnerConfig(env: Env): RunnerConfig {
  const r = new EnvReader(env);
  const c = new RunnerConfig();
  c.apiUrl = r
    .withDefault(
      ['SEMAPHORE_API_URL', 'SEMAPHORE_WEB_ROOT'],
      (s) => parseUrl(s, ['http:', 'https:']).toString(),
      'http://127.0.0.1:3000/',
    )
    .replace(/\/*$/, '/');
  c.redis = {
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
  c.runner = {
    name: r.string('SEMAPHORE_RUNNER_NAME', hostname()),
    tokenFile: r.string('SEMAPHORE_RUNNER_TOKEN_FILE', './runner.token'),
    registrationToken: r.optional('SEMAPHORE_RUNNER_REGISTRATION_TOKEN', (s) => s) ?? null,
    maxParallelTasks: r.withDefault('SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS', (s) => parseInteger(s, 1, 1_000), 1),
    tags: r.withDefault('SEMAPHORE_RUNNER_TAGS', parseList, []),
  };
  c.tmpPath = r.string('SEMAPHORE_TMP_PATH', '/tmp/semaphore-runner');
  c.log = { level: r.withDefault('SEMAPHORE_LOG_LEVEL', (s) => parseEnum(s, RUNNER_LOG_LEVELS), 'info') };
  c.instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return c;
}
