import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { taskJobId, taskQueueName } from '@semaphore/models';
import {
  createGitRepository,
  spawnRunnerProcess,
  startApiStack,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
} from '@semaphore/testing';
import { taskQueue, waitFor } from './task-queue.e2e-helpers';

const REGISTRATION_TOKEN = 'e2e-isolation-registration-token-42';
/** Only in the runner's own environment: it must never reach a task. */
const CANARY = 'runner-environment-canary-7f3a';

interface TaskView {
  id: number;
  status: string;
  start: string | null;
  end: string | null;
}

const FINISHED = ['success', 'error', 'stopped', 'rejected'];

/**
 * What a task process sees of the runner (nothing but an allowlisted environment), and the per-template rule: two
 * tasks of one template run one after the other unless the template allows parallel runs — with a real runner that
 * could run both at once (SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS=2).
 */
describe('task isolation and per-template serialisation (api + runner)', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let admin: ApiClient;
  let projectPath: string;
  let repositoryId: number;
  let environmentId: number;
  const queues: Queue[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-isolation-'));
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN });
    runner = spawnRunnerProcess({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      env: {
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(root, 'runner.token'),
        SEMAPHORE_TMP_PATH: join(root, 'work'),
        SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '2',
        RUNNER_CANARY: CANARY,
      },
    });
    await runner.waitForLog((l) => l.msg === 'runner ready', 30_000);

    const logged = await stack.loggedIn({ admin: true });
    admin = await logged.client.tokenClient();
    const project = await admin.post<{ id: number }>('/api/projects', { name: 'isolation' });
    projectPath = `/api/project/${project.body.id}`;
    const keys = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`);
    const url = createGitRepository(root, {
      'env.sh': 'env | sort',
      // Announces itself, then holds until the test creates its release file.
      'hold.sh': [
        'echo "holding $1"',
        'for _ in $(seq 1 600); do [ -e "$RELEASE_DIR/$1" ] && break; sleep 0.05; done',
        'echo "released $1"',
      ].join('\n'),
    });
    expect(
      (
        await admin.post(`${projectPath}/repositories`, {
          name: 'scripts',
          git_url: url,
          git_branch: 'main',
          ssh_key_id: keys.body.find((k) => k.name === 'None')?.id,
        })
      ).status,
    ).toBe(204);
    repositoryId = (await admin.get<Array<{ id: number }>>(`${projectPath}/repositories`)).body[0].id;
    expect(
      (
        await admin.post(`${projectPath}/environment`, {
          name: 'hold',
          json: '{}',
          env: JSON.stringify({ RELEASE_DIR: root, USER_VARIABLE: 'user-value' }),
        })
      ).status,
    ).toBe(204);
    const envs = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/environment`);
    environmentId = envs.body.find((e) => e.name === 'hold')?.id ?? 0;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await runner?.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function template(name: string, playbook: string, extra: Record<string, unknown> = {}): Promise<number> {
    const created = await admin.post<{ id: number }>(`${projectPath}/templates`, {
      name,
      app: 'bash',
      playbook,
      repository_id: repositoryId,
      environment_id: environmentId,
      ...extra,
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function run(templateId: number, args: string[] = []): Promise<number> {
    const created = await admin.post<{ id: number }>(`${projectPath}/tasks`, {
      template_id: templateId,
      ...(args.length ? { arguments: JSON.stringify(args) } : {}),
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const task = async (id: number) => (await admin.get<TaskView>(`${projectPath}/tasks/${id}`)).body;
  const lines = async (id: number) =>
    (await admin.get<Array<{ output: string }>>(`${projectPath}/tasks/${id}/output`)).body.map((o) => o.output);
  const finished = (id: number) =>
    waitFor(
      `task ${id} to finish`,
      async () => {
        const t = await task(id);
        return FINISHED.includes(t.status) ? t : undefined;
      },
      60_000,
    );
  const holding = (id: number, name: string) =>
    waitFor(
      `task ${id} to hold`,
      async () => ((await lines(id)).includes(`holding ${name}`) ? true : undefined),
      60_000,
    );
  const release = (name: string) => writeFileSync(join(root, name), '');

  it('a task process gets an allowlisted environment: none of the runner own variables or secrets', async () => {
    const id = await run(await template('env dump', 'env.sh'));
    expect((await finished(id)).status).toBe('success');
    const output = await lines(id);
    const dump = output.filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l));
    const names = dump.map((l) => l.slice(0, l.indexOf('=')));
    expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'SEMAPHORE_EXTRA_VARS_FILE', 'USER_VARIABLE']));
    expect(dump).toContain('USER_VARIABLE=user-value');
    const leaked = names.filter((n) => /^(REDIS|DATABASE|PG|NODE|npm_|RUNNER_)/.test(n) || n.startsWith('SEMAPHORE_R'));
    expect(leaked).toEqual([]);
    const text = output.join('\n');
    for (const secret of [CANARY, REGISTRATION_TOKEN, stack.redis.url, stack.redis.prefix]) {
      expect(text).not.toContain(secret);
    }
  }, 90_000);

  it('two tasks of one template run one after the other: the second is not even released to the queue', async () => {
    const templateId = await template('serial', 'hold.sh', {
      allow_override_args_in_task: true,
      allow_parallel_tasks: false,
    });
    const first = await run(templateId, ['serial-1']);
    const second = await run(templateId, ['serial-2']);
    await holding(first, 'serial-1');

    // The first holds the template; the second waits in the admission state, with no BullMQ job a runner could take.
    const queue = taskQueue(stack.redis, taskQueueName(null), queues);
    expect((await task(second)).status).toBe('waiting');
    expect(await queue.getJobState(taskJobId(second))).toBe('unknown');

    release('serial-1');
    release('serial-2');
    const [a, b] = [await finished(first), await finished(second)];
    expect([a.status, b.status]).toEqual(['success', 'success']);
    expect(Date.parse(b.start ?? '')).toBeGreaterThanOrEqual(Date.parse(a.end ?? ''));
  }, 120_000);

  it('with allow_parallel_tasks both run at once on a runner with room for two', async () => {
    const templateId = await template('parallel', 'hold.sh', {
      allow_override_args_in_task: true,
      allow_parallel_tasks: true,
    });
    const first = await run(templateId, ['parallel-1']);
    const second = await run(templateId, ['parallel-2']);
    // Neither is released before both hold: they overlap.
    await Promise.all([holding(first, 'parallel-1'), holding(second, 'parallel-2')]);
    expect(existsSync(join(root, 'parallel-1'))).toBe(false);
    release('parallel-1');
    release('parallel-2');
    expect((await finished(first)).status).toBe('success');
    expect((await finished(second)).status).toBe('success');
  }, 120_000);
});
