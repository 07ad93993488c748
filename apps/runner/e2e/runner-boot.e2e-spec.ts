import { RUNNER_READY_CHANNEL, redisKey } from '@semaphore/models';
import { createTestRedis, spawnRunnerProcess, type TestRedis } from '@semaphore/testing';

describe('runner process: boot and shutdown', () => {
  let redis: TestRedis;

  beforeEach(async () => {
    redis = await createTestRedis();
  });

  afterEach(async () => {
    await redis.cleanup();
  });

  it('connects to Redis, announces itself ready, and stops cleanly on SIGTERM', async () => {
    const subscriber = redis.client.duplicate();
    const announcements: string[] = [];
    await subscriber.subscribe(redisKey(redis.prefix, RUNNER_READY_CHANNEL));
    subscriber.on('message', (_channel, message: string) => announcements.push(message));

    const runner = spawnRunnerProcess({
      redisUrl: redis.url,
      redisPrefix: redis.prefix,
      env: { SEMAPHORE_RUNNER_TAGS: 'e2e' },
    });
    try {
      const ready = await runner.waitForLog((l) => l.msg === 'runner ready');
      expect(ready).toMatchObject({ app: 'runner', tags: ['e2e'] });
      await runner.waitFor(() => (announcements.length ? announcements : undefined), 5_000, 'ready announcement');
      expect(JSON.parse(announcements[0])).toMatchObject({ instanceId: ready.instanceId });

      const exit = await runner.stop();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(runner.jsonLines().some((l) => l.msg === 'runner stopped')).toBe(true);
    } finally {
      await runner.stop();
      await subscriber.quit();
    }
  });

  it('refuses an invalid setting with exit code 78 and one line naming it', async () => {
    const runner = spawnRunnerProcess({
      redisUrl: redis.url,
      redisPrefix: redis.prefix,
      env: { SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '0' },
    });
    const exit = await runner.exited;
    expect(exit.code).toBe(78);
    expect(runner.stderr).toEqual([
      'semaphore-runner: configuration error: SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS must be an integer from 1 to 1000',
    ]);
  });
});
