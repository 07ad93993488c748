import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { WsClient, type WsMessage } from './task-events-helpers';

const WORKSPACE = 'e2e-ws';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Built-in `terraform_data` and outputs only; the state lives outside the per-task clone, in the test's directory. */
function mainTf(stateDir: string): string {
  return `
terraform {
  backend "local" {
    path          = "${stateDir}/terraform.tfstate"
    workspace_dir = "${stateDir}/workspaces"
  }
}
variable "greeting" {
  type    = string
  default = "none"
}
variable "suffix" {
  type    = string
  default = ""
}
variable "token" {
  type    = string
  default = ""
}
resource "terraform_data" "thing" {
  input = "\${var.greeting}\${var.suffix}"
}
output "greeting" {
  value = terraform_data.thing.output
}
output "token_length" {
  value = length(var.token)
}
`;
}

/**
 * Terraform through the real processes: POST P/tasks -> the runner plans -> `waiting_confirmation` over the
 * WebSocket -> POST confirm -> the runner applies -> `success`; POST reject -> `rejected`, nothing applied, and the
 * runner's own final report changes nothing.
 */
describe('terraform tasks: api + runner + real terraform', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let stateDir: string;
  let admin: ApiClient;
  let token: string;
  let projectPath: string;
  let templateId: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-tf-e2e-'));
    stateDir = join(root, 'state');
    mkdirSync(stateDir);
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
    const project = await admin.post<{ id: number }>('/api/projects', { name: 'terraform' });
    projectPath = `/api/project/${project.body.id}`;
    const keys = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`);
    const noneKey = keys.body.find((k) => k.name === 'None');
    const url = createGitRepository(join(root, 'repo'), { 'infra/main.tf': mainTf(stateDir) });
    const repo = await admin.post(`${projectPath}/repositories`, {
      name: 'infra',
      git_url: url,
      git_branch: 'main',
      ssh_key_id: noneKey?.id,
    });
    expect(repo.status).toBe(204);
    const repos = await admin.get<Array<{ id: number }>>(`${projectPath}/repositories`);
    const env = await admin.post(`${projectPath}/environment`, {
      name: 'tf',
      json: JSON.stringify({ greeting: 'from-environment' }),
      env: '{}',
      secrets: [{ type: 'var', name: 'token', secret: 'secret-of-11', operation: 'create' }],
    });
    expect(env.status).toBe(204);
    const envs = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/environment`);
    const inventory = await admin.post<{ id: number }>(`${projectPath}/inventory`, {
      name: 'workspace',
      type: 'terraform-workspace',
      inventory: WORKSPACE,
      ssh_key_id: null,
    });
    expect(inventory.status).toBe(201);
    const template = await admin.post<{ id: number }>(`${projectPath}/templates`, {
      name: 'Infra',
      app: 'terraform',
      playbook: 'infra',
      repository_id: repos.body[0].id,
      inventory_id: inventory.body.id,
      environment_id: envs.body.find((e) => e.name === 'tf')?.id,
    });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const resources = (): unknown[] => {
    const file = join(stateDir, 'workspaces', WORKSPACE, 'terraform.tfstate');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { resources: unknown[] }).resources : [];
  };
  const statuses = (ws: WsClient, taskId: number) => ws.of(taskId, 'update').map((m) => String(m.status));
  const hasStatus = (taskId: number, status: string) => (ms: WsMessage[]) =>
    ms.some((m) => m.task_id === taskId && m.type === 'update' && m.status === status);

  async function startTask(environment = '{}'): Promise<number> {
    const created = await admin.post<{ id: number; status: string }>(`${projectPath}/tasks`, {
      template_id: templateId,
      environment,
    });
    expect([created.status, created.body.status]).toEqual([201, 'waiting']);
    return created.body.id;
  }

  async function output(taskId: number): Promise<string[]> {
    const res = await admin.get<Array<{ output: string }>>(`${projectPath}/tasks/${taskId}/output`);
    return res.body.map((o) => o.output.replace(ANSI, ''));
  }

  it('reject -> rejected, nothing applied; then confirm -> apply -> success; then no changes -> success', async () => {
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${token}` });
    try {
      // 1. Rejected: terminal at once; the runner ends the job without applying.
      const rejectedId = await startTask();
      await ws.waitFor(hasStatus(rejectedId, 'waiting_confirmation'), 'the first plan', 90_000);
      expect(await output(rejectedId)).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
      expect((await admin.post(`${projectPath}/tasks/${rejectedId}/reject`, {})).status).toBe(204);
      await ws.waitFor(hasStatus(rejectedId, 'rejected'), 'rejected', 30_000);
      const finished = await runner.waitForLog((l) => l.event === 'task.finished' && l.taskId === rejectedId, 30_000);
      expect(finished.status).toBe('rejected');
      const rejectedRow = await admin.get<{ status: string; end: string | null }>(`${projectPath}/tasks/${rejectedId}`);
      expect(rejectedRow.body.status).toBe('rejected');
      expect(resources()).toEqual([]);

      // 2. Confirmed: running -> waiting_confirmation -> confirmed (api) -> running -> success.
      const confirmedId = await startTask();
      await ws.waitFor(hasStatus(confirmedId, 'waiting_confirmation'), 'the second plan', 90_000);
      const waiting = await admin.get<{ status: string }>(`${projectPath}/tasks/${confirmedId}`);
      expect(waiting.body.status).toBe('waiting_confirmation');
      expect(resources()).toEqual([]);
      expect((await admin.post(`${projectPath}/tasks/${confirmedId}/confirm`, {})).status).toBe(204);
      await ws.waitFor(hasStatus(confirmedId, 'success'), 'the apply', 90_000);
      // In this order (the persister may fold two quick changes into one announcement, so `running` is not
      // required between `confirmed` and `success`); nothing after `success`.
      const seen = statuses(ws, confirmedId);
      const at = (s: string) => seen.indexOf(s);
      expect(at('waiting_confirmation')).toBeGreaterThanOrEqual(0);
      expect([at('waiting_confirmation') < at('confirmed'), at('confirmed') < at('success')]).toEqual([true, true]);
      expect(seen.slice(at('confirmed') + 1).filter((s) => s !== 'running')).toEqual(['success']);
      const lines = await output(confirmedId);
      expect(lines).toEqual(
        expect.arrayContaining([
          'The plan was confirmed: applying it',
          'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.',
          'greeting = "from-environment"',
          'token_length = 12',
        ]),
      );
      expect(lines.join('\n')).not.toContain('secret-of-11');
      expect(resources()).toHaveLength(1);

      // 3. Nothing changed since: success right after the plan, no confirmation asked.
      const unchangedId = await startTask();
      await ws.waitFor(hasStatus(unchangedId, 'success'), 'the plan without changes', 90_000);
      expect(statuses(ws, unchangedId)).not.toContain('waiting_confirmation');
      expect(await output(unchangedId)).toContain('The plan has no changes: nothing to apply');

      // The rejected task's last runner report (persisted before the later tasks' events) reopened nothing.
      const after = await admin.get<{ status: string; end: string | null }>(`${projectPath}/tasks/${rejectedId}`);
      expect(after.body).toMatchObject({ status: 'rejected', end: rejectedRow.body.end });
      expect(statuses(ws, rejectedId).slice(-1)).toEqual(['rejected']);
      expect(await output(rejectedId)).toContain('The plan was rejected: nothing applied');
      expect(runner.jsonLines().filter((l) => l.event === 'task.events-dropped')).toEqual([]);
    } finally {
      ws.close();
    }
  }, 300_000);

  it('stop while waiting for the confirmation -> stopped, nothing applied', async () => {
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${token}` });
    try {
      const before = JSON.stringify(resources());
      const taskId = await startTask('{"suffix":"-v2"}');
      await ws.waitFor(hasStatus(taskId, 'waiting_confirmation'), 'the plan', 90_000);
      expect(await output(taskId)).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
      expect((await admin.post(`${projectPath}/tasks/${taskId}/stop`, {})).status).toBe(204);
      await ws.waitFor(hasStatus(taskId, 'stopped'), 'stopped', 60_000);
      const finished = await runner.waitForLog((l) => l.event === 'task.finished' && l.taskId === taskId, 30_000);
      expect(finished.status).toBe('stopped');
      expect(statuses(ws, taskId)).toEqual(expect.arrayContaining(['waiting_confirmation', 'stopping', 'stopped']));
      expect(JSON.stringify(resources())).toBe(before);
    } finally {
      ws.close();
    }
  }, 120_000);
});
