import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { taskJobId, taskQueueName } from '@semaphore/models';
import { startApiStack, type ApiClient, type ApiStack, type ManagedProcess } from '@semaphore/testing';
import { E2E_REGISTRATION_TOKEN, createBashProject, startRunner, type BashProject } from './task-fixtures';
import { taskQueue, waitFor } from './task-queue.e2e-helpers';

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
  let project: BashProject;
  const queues: Queue[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-isolation-'));
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
      env: { SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '2', RUNNER_CANARY: CANARY },
    });
    const logged = await stack.loggedIn({ admin: true });
    admin = await logged.client.tokenClient();
    project = await createBashProject(
      admin,
      root,
      'isolation',
      {
        'env.sh': 'env | sort',
        // Announces itself, then holds until the test creates its release file.
        'hold.sh': [
          'echo "holding $1"',
          'for _ in $(seq 1 600); do [ -e "$RELEASE_DIR/$1" ] && break; sleep 0.05; done',
          'echo "released $1"',
        ].join('\n'),
      },
      { RELEASE_DIR: root, USER_VARIABLE: 'user-value' },
    );
    projectPath = project.projectPath;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await runner?.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const template = (name: string, playbook: string, extra: Record<string, unknown> = {}) =>
    project.template(name, playbook, extra);

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
    for (const secret of [CANARY, E2E_REGISTRATION_TOKEN, stack.redis.url, stack.redis.prefix]) {
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
