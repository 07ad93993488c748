import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiStack, type ApiClient, type ApiStack, type ManagedProcess } from '@semaphore/testing';
import { E2E_REGISTRATION_TOKEN, createBashProject, startRunner } from './task-fixtures';
import { waitFor } from './task-queue.e2e-helpers';

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
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN,
      SEMAPHORE_RUNNER_LOST_AFTER_SECONDS: String(LOST_AFTER_SECONDS),
    });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
      name: 'doomed',
      env: { SEMAPHORE_TASK_KILL_GRACE_SECONDS: '1' },
    });
    admin = (await stack.withToken({ admin: true })).client;
    // A tree: the script, a background sleep and a foreground one.
    const project = await createBashProject(admin, root, 'loss', {
      'sleep.sh': `sleep ${MARKER} &\necho started\nsleep ${MARKER}\n`,
    });
    projectPath = project.projectPath;
    templateId = await project.template('sleeper', 'sleep.sh');
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

    // The runner's group reaper, outside the task's process group, sees the runner's end of its pipe close.
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
