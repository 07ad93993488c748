import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RUNNER_TAG_PATTERN } from '@semaphore/models';
import { EnvReader, parseBool, parseEnum, parseInteger, parseList, parseUrl, type Env } from '@semaphore/config';

export const RUNNER_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The runner's whole configuration, validated once at start and injected. The runner has no database settings. */
export class RunnerConfig {
  apiUrl!: string;
  redis!: { url: string; prefix: string; commandTimeoutMs: number };
  runner!: {
    name: string;
    /** Where the runner token is kept (written 0600 after registration). */
    tokenFile: string;
    /** A runner token given directly (SEMAPHORE_RUNNER_TOKEN): no registration, no token file. */
    token: string | null;
    /** The global or one-time (`smrs_`) registration token, used when there is no runner token yet. */
    registrationToken: string | null;
    maxParallelTasks: number;
    tags: string[];
    /** Tagged runners also consume the untagged `tasks` queue unless this is set. */
    taggedOnly: boolean;
    /** After SIGTERM, running tasks may finish for this long; then they are stopped. */
    drainTimeoutMs: number;
  };
  tasks!: {
    /** SIGTERM -> SIGKILL grace when a task is stopped. */
    killGraceMs: number;
    /** 0 = unlimited. */
    maxDurationMs: number;
    /** PATH handed to task processes (nothing else of the runner's environment reaches them). */
    path: string;
  };
  tmpPath!: string;
  log!: { level: (typeof RUNNER_LOG_LEVELS)[number] };
  instanceId!: string;
}

function parseTags(raw: string): string[] {
  const tags = parseList(raw);
  const bad = tags.find((t) => !RUNNER_TAG_PATTERN.test(t));
  if (bad !== undefined)
    throw new Error(`has an invalid tag ${bad.slice(0, 64)} (lower-case letters, digits, _ and -)`);
  return [...new Set(tags)];
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
    token: r.optional('SEMAPHORE_RUNNER_TOKEN', (s) => s.trim()) ?? null,
    registrationToken: r.optional('SEMAPHORE_RUNNER_REGISTRATION_TOKEN', (s) => s) ?? null,
    maxParallelTasks: r.withDefault('SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS', (s) => parseInteger(s, 1, 1_000), 1),
    tags: r.withDefault('SEMAPHORE_RUNNER_TAGS', parseTags, []),
    taggedOnly: r.withDefault('SEMAPHORE_RUNNER_TAGGED_ONLY', parseBool, false),
    drainTimeoutMs:
      1000 * r.withDefault('SEMAPHORE_RUNNER_DRAIN_TIMEOUT_SECONDS', (s) => parseInteger(s, 0, 7 * 86_400), 300),
  };
  c.tasks = {
    killGraceMs: 1000 * r.withDefault('SEMAPHORE_TASK_KILL_GRACE_SECONDS', (s) => parseInteger(s, 0, 3_600), 10),
    maxDurationMs: 1000 * r.withDefault('SEMAPHORE_MAX_TASK_DURATION_SEC', (s) => parseInteger(s, 0, 30 * 86_400), 0),
    path: r.string('PATH', '/usr/local/bin:/usr/bin:/bin'),
  };
  c.tmpPath = r.string('SEMAPHORE_TMP_PATH', '/tmp/semaphore-runner');
  c.log = { level: r.withDefault('SEMAPHORE_LOG_LEVEL', (s) => parseEnum(s, RUNNER_LOG_LEVELS), 'info') };
  c.instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return c;
}
