import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { In } from 'typeorm';
import { TaskStatus } from '@semaphore/models';
import { TaskEntity, TaskOutputEntity } from '@semaphore/persistence';
import {
  ApiClient,
  Factories,
  createGitRepository,
  createTestDatabase,
  freePort,
  randomKey,
  spawnRunnerProcess,
  startApiProcess,
  startRedisServer,
  type ApiProcess,
  type ManagedProcess,
  type RedisServer,
  type TestDatabase,
} from '@semaphore/testing';
import { ChaosReport, chaosPlan, pause, type ChaosAction } from './chaos-helpers';

/**
 * The chaos suite: 2 api replicas, 2 runners and a dedicated Redis with AOF on loopback. Tasks that print numbered
 * lines are pushed while a runner, an api replica and Redis are killed with SIGKILL at random moments and restarted.
 * Then: every task terminal; every line of every successful task persisted exactly once and in order; no task
 * executed twice; runner-loss detection times. `npm run chaos` runs the long version (CHAOS_TASKS=200 and random
 * kills); the e2e tier runs this short one (one kill of each kind).
 */
const TASKS = Number(process.env.CHAOS_TASKS ?? 24);
const LINES = Number(process.env.CHAOS_LINES ?? 40);
const KILLS = Number(process.env.CHAOS_KILLS ?? 0); // 0: one kill of each kind, in a random order
const LOST_AFTER_SECONDS = 5;
const REGISTRATION_TOKEN = 'chaos-registration-token-0123456789';
const PASSWORD = 'chaos password';
const FINISHED = new Set<string>([TaskStatus.Success, TaskStatus.Error, TaskStatus.Stopped, TaskStatus.Rejected]);

describe('chaos: kill -9 of runners, api replicas and Redis while tasks run', () => {
  let root: string;
  let db: TestDatabase;
  let redis: RedisServer;
  let redisPort: number;
  const prefix = 'chaos';
  const apis: Array<ApiProcess | null> = [null, null];
  const apiPorts: number[] = [];
  const runners: Array<ManagedProcess | null> = [null, null];
  const runnerIds: number[] = [0, 0];
  const keys = { SEMAPHORE_ACCESS_KEY_ENCRYPTION: randomKey(), SEMAPHORE_COOKIE_HASH: randomKey() };
  let token = '';
  let templateId = 0;
  let projectId = 0;
  const report = new ChaosReport();

  const redisDir = () => join(root, 'redis');
  const apiUrl = (i: number) => `http://127.0.0.1:${apiPorts[i]}`;

  async function startRedis(): Promise<void> {
    redis = await startRedisServer({ appendonly: true, dir: redisDir(), port: redisPort });
  }

  async function startApi(i: number): Promise<void> {
    apis[i] = await startApiProcess({
      db: db.connection,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      redisPrefix: prefix,
      port: apiPorts[i],
      env: {
        ...keys,
        SEMAPHORE_NODE_ID: `api-${i + 1}`,
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_LOST_AFTER_SECONDS: String(LOST_AFTER_SECONDS),
        SEMAPHORE_MAX_PARALLEL_TASKS: '0',
      },
    });
  }

  async function startRunner(i: number): Promise<void> {
    const proc = spawnRunnerProcess({
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      redisPrefix: prefix,
      apiUrl: apiUrl(i),
      env: {
        SEMAPHORE_RUNNER_NAME: `runner-${i + 1}`,
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(root, `runner-${i + 1}.token`),
        SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '4',
        SEMAPHORE_TMP_PATH: join(root, `runner-${i + 1}`),
        SEMAPHORE_TASK_KILL_GRACE_SECONDS: '1',
      },
    });
    runners[i] = proc;
    const ready = await proc.waitForLog((l) => l.msg === 'runner ready', 60_000);
    runnerIds[i] = Number(ready.runnerId);
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-chaos-'));
    mkdirSync(join(root, 'markers'));
    mkdirSync(redisDir());
    redisPort = await freePort();
    apiPorts.push(await freePort(), await freePort());
    db = await createTestDatabase();
    await startRedis();
    await startApi(0);
    await startApi(1);
    await Promise.all([startRunner(0), startRunner(1)]);

    const factories = new Factories(db.dataSource);
    const admin = await factories.user({ admin: true, password: await bcrypt.hash(PASSWORD, 4) });
    const client = await new ApiClient(apiUrl(0)).login(admin.username, PASSWORD);
    token = (await client.post<{ id: string }>('/api/user/tokens')).body.id;
    const api = new ApiClient(apiUrl(0)).withToken(token);
    projectId = (await api.post<{ id: number }>('/api/projects', { name: 'chaos' })).body.id;
    const p = `/api/project/${projectId}`;
    const none = (await api.get<Array<{ id: number; name: string }>>(`${p}/keys`)).body.find((k) => k.name === 'None');
    const url = createGitRepository(join(root, 'repo'), {
      // One marker line per execution (the task id from semaphore_vars), then numbered lines.
      'chaos.sh': [
        'id=$(python3 -c \'import json,os;print(json.load(open(os.environ["SEMAPHORE_EXTRA_VARS_FILE"]))["semaphore_vars"]["task_details"]["id"])\')',
        'echo "$$" >> "$MARKERS/$id"',
        'for i in $(seq 1 "$LINES"); do echo "line $i"; sleep 0.05; done',
      ].join('\n'),
    });
    await api.post(`${p}/repositories`, { name: 'r', git_url: url, git_branch: 'main', ssh_key_id: none?.id });
    const repositoryId = (await api.get<Array<{ id: number }>>(`${p}/repositories`)).body[0].id;
    await api.post(`${p}/environment`, {
      name: 'chaos',
      json: '{}',
      env: JSON.stringify({ MARKERS: join(root, 'markers'), LINES: String(LINES) }),
    });
    const envs = await api.get<Array<{ id: number; name: string }>>(`${p}/environment`);
    const template = await api.post<{ id: number }>(`${p}/templates`, {
      name: 'chaos',
      app: 'bash',
      playbook: 'chaos.sh',
      repository_id: repositoryId,
      environment_id: envs.body.find((e) => e.name === 'chaos')?.id,
      allow_parallel_tasks: true,
    });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(runners.map((r) => r?.stop()));
    await Promise.all(apis.map((a) => a?.process.stop()));
    await redis?.stop();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
    report.print();
  });

  /** POST one task through whichever replica answers; a failed answer is retried (the task may exist already). */
  async function submit(n: number): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const i = (n + attempt) % 2;
      try {
        const res = await new ApiClient(apiUrl(i))
          .withToken(token)
          .post(`/api/project/${projectId}/tasks`, { template_id: templateId });
        if (res.status === 201) return;
        report.note(`POST task via api-${i + 1}: ${res.status} ${res.text.slice(0, 120)}`);
      } catch (err) {
        report.note(`POST task via api-${i + 1}: ${(err as Error).message}`);
      }
      await pause(250);
    }
    throw new Error(`task ${n} could not be submitted`);
  }

  async function perform(action: ChaosAction): Promise<void> {
    const down = 500 + Math.floor(Math.random() * 2_000);
    if (action === 'runner') {
      const i = Math.floor(Math.random() * 2);
      runners[i]?.signal('SIGKILL');
      await runners[i]?.waitFor(() => (runners[i]?.running ? undefined : true), 10_000, 'runner death');
      report.killed('runner', `runner-${i + 1}`, runnerIds[i]);
      await pause(down);
      await startRunner(i);
    } else if (action === 'api') {
      const i = Math.floor(Math.random() * 2);
      const api = apis[i];
      api?.process.signal('SIGKILL');
      await api?.process.waitFor(() => (api.process.running ? undefined : true), 10_000, 'api death');
      report.killed('api', `api-${i + 1}`);
      await pause(down);
      await startApi(i);
    } else {
      await redis.kill();
      report.killed('redis', 'redis');
      await pause(down);
      await startRedis();
    }
  }

  it('every task terminal, every line of every successful task exactly once and in order, nothing run twice', async () => {
    const plan = chaosPlan(KILLS);
    const submitting = (async () => {
      for (let n = 0; n < TASKS; n++) {
        await submit(n);
        await pause(Math.floor(Math.random() * 150));
      }
    })();
    const chaos = (async () => {
      for (const action of plan) {
        await pause(1_000 + Math.floor(Math.random() * 2_500));
        await perform(action);
      }
    })();
    await Promise.all([submitting, chaos]);

    const tasks = db.dataSource.getRepository(TaskEntity);
    const deadline = Date.now() + 240_000;
    let all: TaskEntity[] = [];
    for (;;) {
      all = await tasks.find({ where: { templateId }, order: { id: 'ASC' } });
      if (all.length >= TASKS && all.every((t) => FINISHED.has(t.status))) break;
      if (Date.now() > deadline) break;
      await pause(500);
    }
    report.tasks(all);

    const unfinished = all.filter((t) => !FINISHED.has(t.status)).map((t) => `${t.id}:${t.status}`);
    expect(unfinished).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(TASKS);

    const executions = new Map<number, number>();
    for (const file of readdirSync(join(root, 'markers'))) {
      const lines = readFileSync(join(root, 'markers', file), 'utf8')
        .split('\n')
        .filter(Boolean);
      executions.set(Number(file), lines.length);
    }
    const twice = [...executions].filter(([, n]) => n > 1).map(([id]) => id);
    report.executions(executions);
    expect(twice).toEqual([]);

    const successful = all.filter((t) => t.status === TaskStatus.Success);
    const output = db.dataSource.getRepository(TaskOutputEntity);
    const rows = await output.find({ where: { taskId: In(successful.map((t) => t.id)) }, order: { seq: 'ASC' } });
    const byTask = new Map<number, string[]>();
    for (const row of rows) byTask.set(row.taskId, [...(byTask.get(row.taskId) ?? []), row.output]);
    const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);
    const broken = successful
      .filter(
        (t) =>
          JSON.stringify((byTask.get(t.id) ?? []).filter((l) => /^line \d+$/.test(l))) !== JSON.stringify(expected),
      )
      .map((t) => t.id);
    expect(broken).toEqual([]);
    for (const t of successful) expect(executions.get(t.id)).toBe(1);

    const detection = report.runnerLossDetection(all);
    expect(detection.filter((s) => s > 30)).toEqual([]);
  }, 600_000);
});
