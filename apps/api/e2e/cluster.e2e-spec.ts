import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, startApiStack, type ApiProcess, type ApiStack, type ManagedProcess } from '@semaphore/testing';
import { WsClient } from './task-events-helpers';
import { E2E_REGISTRATION_TOKEN, startRunner } from './task-fixtures';
import { waitFor } from './task-queue.e2e-helpers';

interface ClusterView {
  node_id: string;
  api_nodes: Array<{ node_id: string; version: string; pid: number; last_seen: string; ws_clients: number }>;
  runners: Array<{
    id: number;
    name: string;
    online: boolean;
    tags: string[];
    version: string | null;
    running_tasks: number;
    capacity: number;
  }>;
  queues: Array<{ name: string; paused: boolean; waiting: number; active: number }>;
  tasks: Record<string, number>;
  reconciler: { last_actions: unknown[] };
}

/** `GET /api/cluster` across two api replicas and a runner. */
describe('GET /api/cluster', () => {
  let stack: ApiStack;
  let second: ApiProcess;
  let runner: ManagedProcess;
  let root: string;
  let admin: ApiClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-cluster-'));
    const env = { SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN };
    stack = await startApiStack({ ...env, SEMAPHORE_NODE_ID: 'replica-a' });
    second = await stack.startReplica({ ...env, SEMAPHORE_NODE_ID: 'replica-b' });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
      name: 'cluster-runner',
      env: { SEMAPHORE_RUNNER_TAGS: 'edge', SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '3' },
    });
    admin = (await stack.withToken({ admin: true })).client;
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await second?.process.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const view = async (client: ApiClient = admin) => {
    const res = await client.get<ClusterView>('/api/cluster');
    expect(res.status).toBe(200);
    return res.body;
  };

  it('lists both api replicas (with their WebSocket clients), the runner with its load, and is answered by either', async () => {
    const ws = await WsClient.connect(second.baseUrl, { authorization: `Bearer ${admin.bearerToken ?? ''}` });
    try {
      const seen = await waitFor('both replicas and a WebSocket client on replica-b', async () => {
        const v = await view();
        const b = v.api_nodes.find((n) => n.node_id === 'replica-b');
        return v.api_nodes.length === 2 && b && b.ws_clients >= 1 ? v : undefined;
      });
      expect(seen.node_id).toBe('replica-a');
      expect(seen.api_nodes.map((n) => n.node_id).sort()).toEqual(['replica-a', 'replica-b']);
      expect(seen.api_nodes.map((n) => n.pid).sort()).toEqual([stack.api.process.pid, second.process.pid].sort());
      expect(seen.runners).toEqual([
        expect.objectContaining({
          name: 'cluster-runner',
          online: true,
          tags: ['edge'],
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          running_tasks: 0,
          capacity: 3,
        }),
      ]);
      expect(seen.reconciler.last_actions).toEqual([]);
    } finally {
      ws.close();
    }
    const fromB = await view(new ApiClient(second.baseUrl).withToken(admin.bearerToken ?? ''));
    expect(fromB.node_id).toBe('replica-b');
    expect(fromB.api_nodes).toHaveLength(2);
  });

  it('shows queue depths and unfinished tasks: a task for a tag no runner serves waits in its queue', async () => {
    const project = await stack.factories.project();
    const template = await stack.factories.template(project.id, { runnerTag: 'nobody' });
    const created = await admin.post<{ id: number }>(`/api/project/${project.id}/tasks`, { template_id: template.id });
    expect(created.status).toBe(201);
    const v = await waitFor('the tasks-nobody queue', async () => {
      const current = await view();
      return current.queues.some((q) => q.name === 'tasks-nobody') ? current : undefined;
    });
    expect(v.queues.find((q) => q.name === 'tasks-nobody')).toMatchObject({ paused: false, waiting: 1, active: 0 });
    expect(v.tasks.waiting).toBe(1);
  });

  it('forgets a replica that shut down', async () => {
    await second.process.stop();
    const v = await waitFor('replica-b gone', async () => {
      const current = await view();
      return current.api_nodes.length === 1 ? current : undefined;
    });
    expect(v.api_nodes.map((n) => n.node_id)).toEqual(['replica-a']);
  });

  it('is for administrators only', async () => {
    const { client } = await stack.withToken({ admin: false });
    expect((await client.get('/api/cluster')).status).toBe(403);
    expect((await admin.anonymous().get('/api/cluster')).status).toBe(401);
  });
});
