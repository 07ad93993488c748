import { ConfigError } from '@semaphore/config';
import { loadRunnerConfig } from './runner.config';

describe('runner config', () => {
  it('has defaults and no database settings', () => {
    const c = loadRunnerConfig({});
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.runner.maxParallelTasks).toBe(1);
    expect(c.runner.tags).toEqual([]);
    expect(c.runner).toMatchObject({
      token: null,
      registrationToken: null,
      taggedOnly: false,
      drainTimeoutMs: 300_000,
    });
    expect(c.tasks).toMatchObject({ killGraceMs: 10_000, maxDurationMs: 0 });
    expect(c.apiUrl).toBe('http://127.0.0.1:3000/');
    expect(Object.keys(c)).not.toContain('db');
  });

  it('reads tags, parallelism, tokens, drain and the api url', () => {
    const c = loadRunnerConfig({
      SEMAPHORE_RUNNER_TAGS: 'linux, gpu ,linux',
      SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '4',
      SEMAPHORE_API_URL: 'https://sem.example.com',
      SEMAPHORE_RUNNER_TOKEN_FILE: '/var/lib/runner/token',
      SEMAPHORE_RUNNER_TOKEN: ' abc ',
      SEMAPHORE_RUNNER_TAGGED_ONLY: 'true',
      SEMAPHORE_RUNNER_DRAIN_TIMEOUT_SECONDS: '5',
      SEMAPHORE_MAX_TASK_DURATION_SEC: '60',
      PATH: '/opt/bin:/usr/bin',
    });
    expect(c.runner).toMatchObject({
      tags: ['linux', 'gpu'],
      maxParallelTasks: 4,
      tokenFile: '/var/lib/runner/token',
      token: 'abc',
      taggedOnly: true,
      drainTimeoutMs: 5_000,
    });
    expect(c.tasks).toMatchObject({ maxDurationMs: 60_000, path: '/opt/bin:/usr/bin' });
    expect(c.apiUrl).toBe('https://sem.example.com/');
  });

  it.each([
    [{ SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '0' }, 'SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS'],
    [{ REDIS_URL: 'nope' }, 'REDIS_URL'],
    [{ SEMAPHORE_API_URL: 'file:///etc/passwd' }, 'SEMAPHORE_API_URL'],
    [{ SEMAPHORE_RUNNER_TAGS: 'ok,Not-OK' }, 'SEMAPHORE_RUNNER_TAGS'],
    [{ SEMAPHORE_RUNNER_TAGGED_ONLY: 'maybe' }, 'SEMAPHORE_RUNNER_TAGGED_ONLY'],
  ])('rejects %j naming the variable', (env, variable) => {
    expect(() => loadRunnerConfig(env)).toThrow(ConfigError);
    expect(() => loadRunnerConfig(env)).toThrow(new RegExp(`^${variable} `));
  });
});
