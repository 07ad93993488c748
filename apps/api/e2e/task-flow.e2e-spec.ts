import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGitRepository,
  startApiStack,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
} from '@semaphore/testing';
import { E2E_REGISTRATION_TOKEN, startRunner } from './task-fixtures';
import { dumpRedis, processCommandLines } from './secret-scan-helpers';
import { WsClient, type WsMessage } from './task-events-helpers';

const SECRETS = ['env-secret-value', 'survey-secret-value'];

const LINES = 300;

/**
 * The whole path of a task, with the real processes: POST P/tasks on the api -> admission -> BullMQ -> a runner
 * claims it, clones the repository and runs the script -> log lines through the Redis stream -> persisted to
 * PostgreSQL and relayed over the WebSocket.
 */
describe('task flow: api + runner + WebSocket', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let admin: ApiClient;
  let token: string;
  let projectPath: string;
  let templateId: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-flow-'));
    execFileSync('mkfifo', [join(root, 'scan-done')]);
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
    });

    const logged = await stack.loggedIn({ admin: true });
    admin = await logged.client.tokenClient();
    token = admin.bearerToken ?? '';
    const project = await admin.post<{ id: number }>('/api/projects', { name: 'flow' });
    projectPath = `/api/project/${project.body.id}`;
    const keys = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`);
    const noneKey = keys.body.find((k) => k.name === 'None');
    // The script proves it received the secrets without ever printing them, then pauses so the test can look at
    // every process's command line while it runs.
    const url = createGitRepository(root, {
      'run.sh': [
        '[ "$API_TOKEN" = "env-secret-value" ] && echo "env secret ok"',
        "python3 -c \"import json,os,sys;sys.exit(0 if json.load(open(os.environ['SEMAPHORE_EXTRA_VARS_FILE']))['pw'] == 'survey-secret-value' else 1)\" && echo \"survey secret ok\"",
        'echo "waiting for the scan"',
        'read -t 20 _ < "$SCAN_DONE_FIFO" || true',
        `for i in $(seq 1 ${LINES}); do echo "line $i"; done`,
      ].join('\n'),
    });
    expect(
      (
        await admin.post(`${projectPath}/repositories`, {
          name: 'scripts',
          git_url: url,
          git_branch: 'main',
          ssh_key_id: noneKey?.id,
        })
      ).status,
    ).toBe(204);
    const repos = await admin.get<Array<{ id: number }>>(`${projectPath}/repositories`);
    expect(
      (
        await admin.post(`${projectPath}/environment`, {
          name: 'prod',
          json: '{}',
          env: JSON.stringify({ SCAN_DONE_FIFO: join(root, 'scan-done') }),
          secrets: [{ type: 'env', name: 'API_TOKEN', secret: 'env-secret-value', operation: 'create' }],
        })
      ).status,
    ).toBe(204);
    const envs = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/environment`);
    const template = await admin.post<{ id: number }>(`${projectPath}/templates`, {
      name: 'Run script',
      app: 'bash',
      playbook: 'run.sh',
      repository_id: repos.body[0].id,
      environment_id: envs.body.find((e) => e.name === 'prod')?.id,
    });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a task and streams every log line, in order, to a WebSocket client; GET output matches', async () => {
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${token}` });
    try {
      const created = await admin.post<{ id: number; status: string; secret: string }>(`${projectPath}/tasks`, {
        template_id: templateId,
        environment: '{}',
        secret: '{"pw":"survey-secret-value"}',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'waiting', secret: '{}' });
      const taskId = created.body.id;

      // While the task runs: no secret on any process's command line.
      await ws.waitFor(
        (ms) => ms.some((m) => m.task_id === taskId && m.output === 'waiting for the scan'),
        'the scan point',
        60_000,
      );
      const cmdlines = processCommandLines();
      expect(cmdlines.length).toBeGreaterThan(5);
      for (const secret of SECRETS) expect(cmdlines.filter((c) => c.includes(secret))).toEqual([]);
      writeFileSync(join(root, 'scan-done'), 'go\n');

      const done = (ms: WsMessage[]) =>
        ms.some((m) => m.task_id === taskId && m.type === 'update' && ['success', 'error'].includes(String(m.status)));
      await ws.waitFor(done, 'the final update', 60_000);

      const updates = ws.of(taskId, 'update').map((m) => m.status);
      expect(updates[updates.length - 1]).toBe('success');
      expect(updates).toEqual(expect.arrayContaining(['running', 'success']));
      for (const m of ws.of(taskId, 'update')) {
        expect(Object.keys(m).sort()).toEqual(
          ['end', 'project_id', 'start', 'status', 'task_id', 'template_id', 'type', 'version'].sort(),
        );
      }

      const task = await admin.get<{ status: string; commit_hash: string | null }>(`${projectPath}/tasks/${taskId}`);
      expect(task.body.status).toBe('success');
      expect(task.body.commit_hash).toMatch(/^[0-9a-f]{40}$/);

      const output = await admin.get<Array<{ output: string }>>(`${projectPath}/tasks/${taskId}/output`);
      const stored = output.body.map((o) => o.output);
      const numbered = stored.filter((l) => /^line \d+$/.test(l));
      expect(numbered).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
      expect(stored).toEqual(expect.arrayContaining(['env secret ok', 'survey secret ok']));

      // Every persisted line reached the WebSocket client, in the same order (the WS may also carry the api's
      // own lines written before the client connected).
      await ws.waitFor(
        (ms) => ms.filter((m) => m.task_id === taskId && m.type === 'log').length >= stored.length - 1,
        'all log lines',
        30_000,
      );
      const relayed = ws.of(taskId, 'log').map((m) => String(m.output));
      const tail = stored.slice(stored.length - relayed.length);
      expect(relayed).toEqual(tail);
      for (const m of ws.of(taskId, 'log')) {
        expect(Object.keys(m)).toEqual(expect.arrayContaining(['type', 'project_id', 'task_id', 'time', 'output']));
      }

      // Nor anywhere else: Redis (every key and the event stream), the api's answers, the processes' logs.
      const redisDump = await dumpRedis(stack.redis.client, stack.redis.prefix);
      const answers = [created.text, task.text, output.text, (await admin.get(`${projectPath}/tasks`)).text];
      const logs = [...runner.stdout, ...runner.stderr, ...stack.api.process.stdout, ...stack.api.process.stderr];
      for (const secret of SECRETS) {
        expect(redisDump).not.toContain(secret);
        for (const text of [...answers, ...logs]) expect(text).not.toContain(secret);
      }
    } finally {
      ws.close();
    }
  }, 90_000);
});
