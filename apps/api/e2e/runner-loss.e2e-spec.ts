import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGitRepository,
  spawnRunnerProcess,
  startApiStack,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
} from '@semaphore/testing';
import { waitFor } from './task-queue.e2e-helpers';

const REGISTRATION_TOKEN = 'e2e-runner-loss-registration-token';
const LOST_AFTER_SECONDS = 5;
/** A sleep no other process on the machine runs, so its processes can be found by their command line. */
const MARKER = '31337.5';

/** Pids of the processes whose command line is `sleep <MARKER>`. */
function sleepers(): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === `sleep ${MARKER}`) {
        pids.push(Number(pid));
      }
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/**
 * A runner killed with SIGKILL in the middle of a task (its host survives): the task's processes die with it, and
 * the api fails the task with RUNNER_LOST and a log line naming the runner once its heartbeat has expired.
 */
describe('runner lost mid-task (SIGKILL)', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let admin: ApiClient;
  let projectPath: string;
  let templateId: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-runner-loss-'));
    stack = await startApiStack({
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
      SEMAPHORE_RUNNER_LOST_AFTER_SECONDS: String(LOST_AFTER_SECONDS),
    });
    runner = spawnRunnerProcess({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      env: {
        SEMAPHORE_RUNNER_NAME: 'doomed',
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(root, 'runner.token'),
        SEMAPHORE_TMP_PATH: join(root, 'work'),
        SEMAPHORE_TASK_KILL_GRACE_SECONDS: '1',
      },
    });
    await runner.waitForLog((l) => l.msg === 'runner ready', 30_000);
    admin = (await stack.withToken({ admin: true })).client;
    const project = await admin.post<{ id: number }>('/api/projects', { name: 'loss' });
    projectPath = `/api/project/${project.body.id}`;
    const keys = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`);
    const url = createGitRepository(root, {
      // A tree: the script, a background sleep and a foreground one.
      'sleep.sh': `sleep ${MARKER} &\necho started\nsleep ${MARKER}\n`,
    });
    await admin.post(`${projectPath}/repositories`, {
      name: 'r',
      git_url: url,
      git_branch: 'main',
      ssh_key_id: keys.body.find((k) => k.name === 'None')?.id,
    });
    const repositoryId = (await admin.get<Array<{ id: number }>>(`${projectPath}/repositories`)).body[0].id;
    const envs = await admin.get<Array<{ id: number }>>(`${projectPath}/environment`);
    const created = await admin.post<{ id: number }>(`${projectPath}/templates`, {
      name: 'sleeper',
      app: 'bash',
      playbook: 'sleep.sh',
      repository_id: repositoryId,
      environment_id: envs.body[0].id,
    });
    expect(created.status).toBe(201);
    templateId = created.body.id;
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the task tree dies with the runner; the task ends error RUNNER_LOST naming the runner; the cluster view says so', async () => {
    const created = await admin.post<{ id: number }>(`${projectPath}/tasks`, { template_id: templateId });
    const taskId = created.body.id;
    const lines = async () =>
      (await admin.get<Array<{ output: string }>>(`${projectPath}/tasks/${taskId}/output`)).body.map((o) => o.output);
    await waitFor('the task to start', async () => ((await lines()).includes('started') ? true : undefined), 60_000);
    await waitFor('both sleeps', async () => (sleepers().length === 2 ? true : undefined));

    runner.signal('SIGKILL');
    await runner.waitFor(() => (runner.running ? undefined : true), 10_000, 'the runner to die');

    // The watchdog, outside the task's process group, sees the runner's end of its pipe close.
    await waitFor('the task processes to end', async () => (sleepers().length === 0 ? true : undefined), 20_000);

    const task = await waitFor(
      'the task to fail',
      async () => {
        const t = (await admin.get<{ status: string; end: string | null }>(`${projectPath}/tasks/${taskId}`)).body;
        return t.status === 'error' ? t : undefined;
      },
      60_000,
    );
    expect(task.end).not.toBeNull();
    const output = await lines();
    expect(output[output.length - 1]).toMatch(/^Runner doomed was lost: no heartbeat for \d+ s$/);

    const cluster = await admin.get<{
      runners: Array<{ name: string; online: boolean }>;
      reconciler: { last_actions: Array<{ action: string; taskId: number }> };
    }>('/api/cluster');
    expect(cluster.body.reconciler.last_actions).toEqual([
      expect.objectContaining({ action: 'failed-runner-lost', taskId }),
    ]);
    expect(cluster.body.runners).toEqual([expect.objectContaining({ name: 'doomed', online: false })]);
  }, 120_000);
});
