import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiClient,
  createTestDatabase,
  freePort,
  startApiProcess,
  startRedisServer,
  type ApiProcess,
  type ManagedProcess,
  type RedisServer,
  type TestDatabase,
} from '@semaphore/testing';
import { E2E_REGISTRATION_TOKEN, adminClient, createBashProject, startRunner } from './task-fixtures';
import { waitFor } from './task-queue.e2e-helpers';

interface TaskView {
  id: number;
  status: string;
}

/**
 * Redis (with AOF) killed and restarted under a running system: reads keep being served from PostgreSQL, what needs
 * Redis is refused with 503 naming it and changes nothing, queued work survives, and everything converges after the
 * restart without manual action.
 */
describe('Redis outage (kill -9 of an AOF Redis, then restart)', () => {
  let root: string;
  let db: TestDatabase;
  let redis: RedisServer;
  let redisPort: number;
  let api: ApiProcess;
  let runner: ManagedProcess;
  let client: ApiClient;
  let projectPath: string;
  let templateId: number;
  let taggedTemplateId: number;

  const startRedis = async () => {
    redis = await startRedisServer({ appendonly: true, dir: join(root, 'redis'), port: redisPort });
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-redis-outage-'));
    mkdirSync(join(root, 'redis'));
    redisPort = await freePort();
    await startRedis();
    db = await createTestDatabase();
    api = await startApiProcess({
      db: db.connection,
      redisUrl: redis.url,
      redisPrefix: 'outage',
      env: { SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN },
    });
    runner = await startRunner({ redisUrl: redis.url, redisPrefix: 'outage', apiUrl: api.baseUrl, root });
    client = await adminClient(db.dataSource, api.baseUrl);
    const project = await createBashProject(client, root, 'outage', { 'hello.sh': 'echo "hello $1"' });
    projectPath = project.projectPath;
    templateId = await project.template('hello', 'hello.sh');
    taggedTemplateId = await project.template('tagged', 'hello.sh', { runner_tag: 'later' });
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await api?.process.stop();
    await redis?.stop();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  const task = async (id: number) => (await client.get<TaskView>(`${projectPath}/tasks/${id}`)).body;
  const finished = (id: number) =>
    waitFor(
      `task ${id} to finish`,
      async () => {
        const t = await task(id);
        return ['success', 'error', 'stopped'].includes(t.status) ? t : undefined;
      },
      60_000,
    );

  it('serves reads from PostgreSQL, refuses Redis work with 503, loses nothing queued, and converges', async () => {
    const before = (await client.post<TaskView>(`${projectPath}/tasks`, { template_id: templateId })).body;
    expect((await finished(before.id)).status).toBe('success');
    // Queued for a runner tag nobody serves yet: it must survive the outage in the AOF.
    const queued = (await client.post<TaskView>(`${projectPath}/tasks`, { template_id: taggedTemplateId })).body;

    await redis.kill();

    expect((await client.get('/api/projects')).status).toBe(200);
    const list = await client.get<TaskView[]>(`${projectPath}/tasks`);
    expect(list.status).toBe(200);
    expect(list.body.map((t) => t.id)).toEqual(expect.arrayContaining([before.id, queued.id]));
    expect((await client.get(`${projectPath}/tasks/${before.id}/output`)).status).toBe(200);
    const health = await client.get<{ error?: Record<string, unknown> }>('/api/health');
    expect(health.status).toBe(503);
    expect(Object.keys(health.body.error ?? {})).toEqual(['redis']);

    // A stop needs the control channel: refused, and the task is left as it was.
    const stop = await client.post<{ error: string }>(`${projectPath}/tasks/${queued.id}/stop`, { force: false });
    expect(stop.status).toBe(503);
    expect(stop.body.error).toMatch(/^Redis is unavailable/);
    expect((await task(queued.id)).status).toBe('waiting');
    // Logging in needs the attempt counters: refused rather than unlimited.
    const login = await new ApiClient(api.baseUrl).post('/api/auth/login', { auth: 'nobody', password: 'x' });
    expect(login.status).toBe(503);
    // A new task is accepted into PostgreSQL and admitted once Redis is back.
    const during = await client.post<TaskView>(`${projectPath}/tasks`, { template_id: templateId });
    expect(during.status).toBe(201);

    await startRedis();
    await waitFor('health', async () => ((await client.get('/api/health')).status === 200 ? true : undefined), 30_000);
    expect((await finished(during.body.id)).status).toBe('success');

    // The queued job survived: a runner for its tag picks it up.
    const tagged = await startRunner({
      redisUrl: redis.url,
      redisPrefix: 'outage',
      apiUrl: api.baseUrl,
      root,
      name: 'later',
      env: { SEMAPHORE_RUNNER_TAGS: 'later', SEMAPHORE_RUNNER_TAGGED_ONLY: 'true' },
    });
    try {
      expect((await finished(queued.id)).status).toBe('success');
    } finally {
      await tagged.stop();
    }
    const after = await client.post<TaskView>(`${projectPath}/tasks`, { template_id: templateId });
    expect((await finished(after.body.id)).status).toBe('success');
  }, 180_000);
});
