import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import {
  ApiClient,
  Factories,
  createGitRepository,
  createTestDatabase,
  freePort,
  spawnRunnerProcess,
  startApiProcess,
  startRedisServer,
  type ApiProcess,
  type ManagedProcess,
  type RedisServer,
  type TestDatabase,
} from '@semaphore/testing';
import { waitFor } from './task-queue.e2e-helpers';

const REGISTRATION_TOKEN = 'e2e-redis-outage-registration-token';
const PASSWORD = 'outage password';

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
      env: { SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN },
    });
    runner = spawnRunnerProcess({
      redisUrl: redis.url,
      redisPrefix: 'outage',
      apiUrl: api.baseUrl,
      env: {
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(root, 'runner.token'),
        SEMAPHORE_TMP_PATH: join(root, 'work'),
      },
    });
    await runner.waitForLog((l) => l.msg === 'runner ready', 30_000);
    const admin = await new Factories(db.dataSource).user({ admin: true, password: await bcrypt.hash(PASSWORD, 4) });
    const session = await new ApiClient(api.baseUrl).login(admin.username, PASSWORD);
    client = await session.tokenClient();
    const project = await client.post<{ id: number }>('/api/projects', { name: 'outage' });
    projectPath = `/api/project/${project.body.id}`;
    const none = (await client.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`)).body.find(
      (k) => k.name === 'None',
    );
    const url = createGitRepository(join(root, 'repo'), { 'hello.sh': 'echo "hello $1"' });
    await client.post(`${projectPath}/repositories`, {
      name: 'r',
      git_url: url,
      git_branch: 'main',
      ssh_key_id: none?.id,
    });
    const repositoryId = (await client.get<Array<{ id: number }>>(`${projectPath}/repositories`)).body[0].id;
    const environmentId = (await client.get<Array<{ id: number }>>(`${projectPath}/environment`)).body[0].id;
    const template = (extra: Record<string, unknown>) =>
      client.post<{ id: number }>(`${projectPath}/templates`, {
        app: 'bash',
        playbook: 'hello.sh',
        repository_id: repositoryId,
        environment_id: environmentId,
        ...extra,
      });
    templateId = (await template({ name: 'hello' })).body.id;
    taggedTemplateId = (await template({ name: 'tagged', runner_tag: 'later' })).body.id;
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
    const tagged = spawnRunnerProcess({
      redisUrl: redis.url,
      redisPrefix: 'outage',
      apiUrl: api.baseUrl,
      env: {
        SEMAPHORE_RUNNER_NAME: 'later',
        SEMAPHORE_RUNNER_TAGS: 'later',
        SEMAPHORE_RUNNER_TAGGED_ONLY: 'true',
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(root, 'tagged.token'),
        SEMAPHORE_TMP_PATH: join(root, 'tagged'),
      },
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
