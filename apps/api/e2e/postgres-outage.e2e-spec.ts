import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '@semaphore/persistence';
import {
  ApiClient,
  createTestRedis,
  startApiProcess,
  startPostgresServer,
  type ApiProcess,
  type ManagedProcess,
  type PostgresServer,
  type TestRedis,
} from '@semaphore/testing';
import { WsClient } from './task-events-helpers';
import { E2E_REGISTRATION_TOKEN, adminClient, createBashProject, startRunner } from './task-fixtures';
import { waitFor } from './task-queue.e2e-helpers';

const LINES = 80;

/**
 * PostgreSQL crashes (immediate shutdown) while a task streams its log, then comes back: the api answers 503 naming
 * the database meanwhile, WebSocket clients keep receiving the live lines (they come from Redis), the persister keeps
 * the events in the stream (nothing is acknowledged before it is in PostgreSQL), and afterwards every line is stored
 * exactly once and in order, without a restart of anything.
 */
describe('PostgreSQL outage (crash and restart) while a task runs', () => {
  let root: string;
  let pg: PostgresServer;
  let redis: TestRedis;
  let api: ApiProcess;
  let runner: ManagedProcess;
  let client: ApiClient;
  let projectPath: string;
  let templateId: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-pg-outage-'));
    pg = await startPostgresServer();
    redis = await createTestRedis();
    api = await startApiProcess({
      db: pg.connection,
      redisUrl: redis.url,
      redisPrefix: redis.prefix,
      env: { SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN },
    });
    runner = await startRunner({ redisUrl: redis.url, redisPrefix: redis.prefix, apiUrl: api.baseUrl, root });
    const ds: DataSource = createDataSource(pg.connection);
    await ds.initialize();
    try {
      client = await adminClient(ds, api.baseUrl);
    } finally {
      await ds.destroy();
    }
    const project = await createBashProject(client, root, 'pg-outage', {
      'lines.sh': `for i in $(seq 1 ${LINES}); do echo "line $i"; sleep 0.05; done`,
    });
    projectPath = project.projectPath;
    templateId = await project.template('lines', 'lines.sh');
  }, 120_000);

  afterAll(async () => {
    await runner?.stop();
    await api?.process.stop();
    await redis?.cleanup();
    await pg?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  it('503 naming the database meanwhile, live lines keep flowing, every line stored once and in order after', async () => {
    const ws = await WsClient.connect(api.baseUrl, { authorization: `Bearer ${client.bearerToken ?? ''}` });
    try {
      const taskId = (await client.post<{ id: number }>(`${projectPath}/tasks`, { template_id: templateId })).body.id;
      const seen = (line: string) => (ms: Array<Record<string, unknown>>) =>
        ms.some((m) => m.task_id === taskId && m.output === line);
      await ws.waitFor(seen('line 5'), 'line 5', 60_000);

      await pg.crash();
      const down = await client.get<{ error: string }>('/api/projects');
      expect(down.status).toBe(503);
      expect(down.body.error).toMatch(/^The database is unavailable/);
      const health = await client.get<{ error?: Record<string, unknown> }>('/api/health');
      expect([health.status, Object.keys(health.body.error ?? {})]).toEqual([503, ['database']]);
      // The log goes on live, through Redis.
      await ws.waitFor(seen(`line ${LINES}`), 'the last line while PostgreSQL is down', 60_000);

      await pg.start();
      const task = await waitFor(
        'the task to be stored as finished',
        async () => {
          const res = await client.get<{ status: string }>(`${projectPath}/tasks/${taskId}`);
          return res.status === 200 && ['success', 'error'].includes(res.body.status) ? res.body : undefined;
        },
        60_000,
      );
      expect(task.status).toBe('success');
      const output = await client.get<Array<{ output: string }>>(`${projectPath}/tasks/${taskId}/output`);
      const lines = output.body.map((o) => o.output).filter((l) => /^line \d+$/.test(l));
      expect(lines).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
      expect((await client.get('/api/health')).status).toBe(200);
    } finally {
      ws.close();
    }
  }, 180_000);
});
