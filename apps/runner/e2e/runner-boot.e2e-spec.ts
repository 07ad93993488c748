import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNNER_READY_CHANNEL, redisKey, runnerAliveKey, type RunnerHeartbeat } from '@semaphore/models';
import { createTestRedis, spawnRunnerProcess, startApiStack, type ApiStack, type TestRedis } from '@semaphore/testing';

const REGISTRATION_TOKEN = 'runner-boot-registration-token-42';

describe('runner process: registration, boot and shutdown', () => {
  let stack: ApiStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'semtest-runner-boot-'));
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The runner app may not import database code (lint boundary): rows are read with plain SQL.
  const runnerRow = async (id: number) =>
    (
      (await stack.db.dataSource.query('SELECT * FROM runner WHERE id = $1', [id])) as Array<Record<string, unknown>>
    )[0];
  const runnerCount = async () =>
    Number(((await stack.db.dataSource.query('SELECT count(*) AS n FROM runner')) as Array<{ n: string }>)[0].n);

  const spawn = (env: Record<string, string>) =>
    spawnRunnerProcess({ redisUrl: stack.redis.url, redisPrefix: stack.redis.prefix, apiUrl: stack.baseUrl, env });

  it('registers, keeps its token 0600, heartbeats, announces itself ready, and stops cleanly on SIGTERM', async () => {
    const tokenFile = join(dir, 'state', 'runner.token');
    const subscriber = stack.redis.client.duplicate();
    const announcements: string[] = [];
    await subscriber.subscribe(redisKey(stack.redis.prefix, RUNNER_READY_CHANNEL));
    subscriber.on('message', (_channel, message: string) => announcements.push(message));

    const runner = spawn({
      SEMAPHORE_RUNNER_TAGS: 'e2e',
      SEMAPHORE_RUNNER_NAME: 'boot-runner',
      SEMAPHORE_RUNNER_TOKEN_FILE: tokenFile,
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
    });
    try {
      const ready = await runner.waitForLog((l) => l.msg === 'runner ready');
      expect(ready).toMatchObject({
        app: 'runner',
        tags: ['e2e'],
        queues: ['tasks-e2e', 'tasks'],
        tokenSource: 'registration',
      });
      const runnerId = ready.runnerId as number;
      const row = await runnerRow(runnerId);
      expect(row).toMatchObject({ name: 'boot-runner', tags: ['e2e'], active: true, max_parallel_tasks: 1 });

      const token = readFileSync(tokenFile, 'utf8').trim();
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(runner.stdout.join('\n')).not.toContain(token);
      expect(runner.stdout.join('\n')).not.toContain(REGISTRATION_TOKEN);

      const alive = await stack.redis.client.get(redisKey(stack.redis.prefix, ...runnerAliveKey(runnerId)));
      expect(JSON.parse(alive ?? 'null') as RunnerHeartbeat).toMatchObject({
        runnerId,
        tags: ['e2e'],
        runningTaskIds: [],
      });
      expect(await stack.redis.client.ttl(redisKey(stack.redis.prefix, ...runnerAliveKey(runnerId)))).toBeGreaterThan(
        5,
      );
      const listed = await (
        await stack.withToken({ admin: true })
      ).client.get<Array<{ id: number; online: boolean }>>('/api/runners');
      expect(listed.body.find((r) => r.id === runnerId)?.online).toBe(true);

      await runner.waitFor(() => (announcements.length ? announcements : undefined), 5_000, 'ready announcement');
      expect(JSON.parse(announcements[0])).toMatchObject({ instanceId: ready.instanceId, runnerId });

      expect(await runner.stop()).toEqual({ code: 0, signal: null });
      expect(runner.jsonLines().some((l) => l.msg === 'runner stopped')).toBe(true);
      expect(await stack.redis.client.exists(redisKey(stack.redis.prefix, ...runnerAliveKey(runnerId)))).toBe(0);

      // A restart reuses the stored token: same runner, no new registration.
      const before = await runnerCount();
      const again = spawn({ SEMAPHORE_RUNNER_TOKEN_FILE: tokenFile });
      const ready2 = await again.waitForLog((l) => l.msg === 'runner ready');
      expect(ready2).toMatchObject({ runnerId, tokenSource: 'file' });
      expect(await again.stop()).toEqual({ code: 0, signal: null });
      expect(await runnerCount()).toBe(before);
    } finally {
      await runner.stop();
      await subscriber.quit();
    }
  });

  it('refuses to start with a wrong registration token, writing no token file', async () => {
    const tokenFile = join(dir, 'wrong.token');
    const runner = spawn({
      SEMAPHORE_RUNNER_TOKEN_FILE: tokenFile,
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: 'wrong-token-wrong-token',
    });
    const exit = await runner.exited;
    expect(exit.code).toBe(1);
    expect(runner.stderr.join('\n')).toContain('registration refused: 400 Invalid registration token');
    expect(() => statSync(tokenFile)).toThrow();
  });

  it('refuses to start when the api does not know its token', async () => {
    const runner = spawn({ SEMAPHORE_RUNNER_TOKEN: 'not-a-known-runner-token' });
    expect((await runner.exited).code).toBe(1);
    expect(runner.stderr.join('\n')).toContain('the api refused the runner token: 404 Runner not found');
  });
});

describe('runner process: configuration', () => {
  let redis: TestRedis;

  beforeEach(async () => {
    redis = await createTestRedis();
  });

  afterEach(async () => {
    await redis.cleanup();
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
