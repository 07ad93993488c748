import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, startApiStack, type ApiProcess, type ApiStack, type ManagedProcess } from '@semaphore/testing';
import { WsClient } from './task-events-helpers';
import { E2E_REGISTRATION_TOKEN, createBashProject, startRunner } from './task-fixtures';
import { waitFor } from './task-queue.e2e-helpers';

/**
 * Any api replica serves anything: a task created through replica A is watched live on replica B, listed by B's
 * admin pool, and stopped through B (its runner is told through Redis, not through the replica that created it).
 */
describe('any replica serves any task', () => {
  let stack: ApiStack;
  let second: ApiProcess;
  let runner: ManagedProcess;
  let root: string;
  let onA: ApiClient;
  let onB: ApiClient;
  let projectPath: string;
  let templateId: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-any-replica-'));
    const env = { SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN };
    stack = await startApiStack({ ...env, SEMAPHORE_NODE_ID: 'replica-a' });
    second = await stack.startReplica({ ...env, SEMAPHORE_NODE_ID: 'replica-b' });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
      env: { SEMAPHORE_TASK_KILL_GRACE_SECONDS: '1' },
    });
    onA = (await stack.withToken({ admin: true })).client;
    onB = new ApiClient(second.baseUrl).withToken(onA.bearerToken ?? '');
    const project = await createBashProject(onA, root, 'any', {
      'forever.sh': 'for i in $(seq 1 5); do echo "tick $i"; done\nexec sleep 600\n',
    });
    projectPath = project.projectPath;
    templateId = await project.template('forever', 'forever.sh');
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await second?.process.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('created on A, watched, listed and stopped on B', async () => {
    const ws = await WsClient.connect(second.baseUrl, { authorization: `Bearer ${onA.bearerToken ?? ''}` });
    try {
      const taskId = (await onA.post<{ id: number }>(`${projectPath}/tasks`, { template_id: templateId })).body.id;
      await ws.waitFor(
        (ms) => ms.some((m) => m.task_id === taskId && m.output === 'tick 5'),
        'the lines on replica B',
        60_000,
      );
      expect(
        ws
          .of(taskId, 'log')
          .map((m) => String(m.output))
          .filter((o) => o.startsWith('tick')),
      ).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
      const pool = await onB.get<Array<{ task_id: number; location: string }>>('/api/tasks');
      expect(pool.body).toEqual([expect.objectContaining({ task_id: taskId, location: 'running' })]);

      expect((await onB.post(`${projectPath}/tasks/${taskId}/stop`, { force: false })).status).toBe(204);
      await ws.waitFor(
        (ms) => ms.some((m) => m.task_id === taskId && m.type === 'update' && m.status === 'stopped'),
        'the stopped update on replica B',
        30_000,
      );
      const task = await waitFor('stopped in the database', async () => {
        const t = (await onA.get<{ status: string }>(`${projectPath}/tasks/${taskId}`)).body;
        return t.status === 'stopped' ? t : undefined;
      });
      expect(task.status).toBe('stopped');
    } finally {
      ws.close();
    }
  }, 120_000);
});
