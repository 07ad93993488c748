import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack } from '@semaphore/testing';
import { createBashProject } from './task-fixtures';

const SECRET = 'webhook-secret-value';
const GLOBAL_ALIAS = 'global-alias-0123456789';

interface Delivery {
  matched: boolean;
  reason: string | null;
  task_id: number | null;
}

/**
 * The public receiver `/api/integrations/{alias}`: GitHub-signed, HMAC and token calls start tasks of the integration's
 * template with the extracted values; a bad signature, a wrong token or a body the matchers refuse starts nothing.
 * The caller always gets 204; each integration's delivery log says what happened and why.
 */
describe('incoming webhooks (integration receiver)', () => {
  let stack: ApiStack;
  let root: string;
  let admin: ApiClient;
  let projectPath: string;
  let templateId: number;
  let keyId: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-webhooks-'));
    stack = await startApiStack({ SEMAPHORE_INTEGRATION_ALIAS: GLOBAL_ALIAS });
    admin = (await stack.withToken({ admin: true })).client;
    const project = await createBashProject(admin, root, 'hooks', { 'run.sh': 'echo hooked' });
    projectPath = project.projectPath;
    // No runner serves this tag: the created tasks stay queued, which is all these tests look at.
    templateId = await project.template('hooked', 'run.sh', { runner_tag: 'nobody', allow_parallel_tasks: true });
    const key = await admin.post(`${projectPath}/keys`, {
      name: 'webhook',
      type: 'login_password',
      login_password: { login: '', password: SECRET },
    });
    expect(key.status).toBe(204);
    keyId = (await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`)).body.find(
      (k) => k.name === 'webhook',
    )?.id as number;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** An integration with its alias; returns both. */
  async function integration(body: Record<string, unknown>, matchers: Array<Record<string, unknown>> = []) {
    const created = await admin.post<{ id: number }>(`${projectPath}/integrations`, {
      template_id: templateId,
      searchable: false,
      ...body,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (const m of matchers)
      expect((await admin.post(`${projectPath}/integrations/${id}/matchers`, m)).status).toBe(200);
    const alias = await admin.post<{ url: string }>(`${projectPath}/integrations/${id}/aliases`);
    return { id, alias: alias.body.url.split('/').pop() as string };
  }

  const call = (alias: string, body: string, headers: Record<string, string> = {}, method: 'post' | 'get' = 'post') =>
    method === 'post'
      ? stack
          .client()
          .post(`/api/integrations/${alias}`, body, { headers: { 'content-type': 'application/json', ...headers } })
      : stack.client().get(`/api/integrations/${alias}`, { headers });
  const tasksOf = (integrationId: number) =>
    stack.db.dataSource.getRepository(TaskEntity).find({ where: { integrationId }, order: { id: 'ASC' } });
  const deliveries = async (id: number) =>
    (await admin.get<Delivery[]>(`${projectPath}/integrations/${id}/deliveries`)).body;
  const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

  it('GitHub signature: a signed matching push starts a task with the extracted values; the rest start nothing', async () => {
    const hook = await integration({ name: 'github', auth_method: 'github', auth_secret_id: keyId }, [
      {
        name: 'main',
        match_type: 'body',
        method: 'equals',
        body_data_type: 'json',
        key: 'ref',
        value: 'refs/heads/main',
      },
    ]);
    for (const v of [
      { name: 'ref', value_source: 'body', body_data_type: 'json', key: 'ref', variable: 'REF' },
      { name: 'repo', value_source: 'body', body_data_type: 'json', key: 'repository.name', variable: 'REPO' },
      { name: 'event', value_source: 'header', body_data_type: 'json', key: 'X-GitHub-Event', variable: 'EVENT' },
    ]) {
      expect((await admin.post(`${projectPath}/integrations/${hook.id}/values`, v)).status).toBe(201);
    }
    const push = JSON.stringify({ ref: 'refs/heads/main', repository: { name: 'infra' } });
    const signed = { 'x-hub-signature-256': `sha256=${sign(push)}`, 'x-github-event': 'push' };
    expect((await call(hook.alias, push, signed)).status).toBe(204);
    const [task] = await tasksOf(hook.id);
    expect(task).toMatchObject({ templateId, integrationId: hook.id });
    expect(JSON.parse(task.environment)).toEqual({ REF: 'refs/heads/main', REPO: 'infra', EVENT: 'push' });

    expect((await call(hook.alias, push, { 'x-hub-signature-256': `sha256=${sign(push, 'wrong')}` })).status).toBe(204);
    expect((await call(hook.alias, push)).status).toBe(204);
    const develop = JSON.stringify({ ref: 'refs/heads/develop', repository: { name: 'infra' } });
    expect((await call(hook.alias, develop, { 'x-hub-signature-256': `sha256=${sign(develop)}` })).status).toBe(204);
    expect(await tasksOf(hook.id)).toHaveLength(1);

    const log = await deliveries(hook.id);
    expect(log.map((d) => [d.matched, d.reason?.replace(/ \(.*/, '') ?? null])).toEqual([
      [false, 'matcher "main"'],
      [false, 'X-Hub-Signature-256 does not match'],
      [false, 'X-Hub-Signature-256 does not match'],
      [true, null],
    ]);
    expect(log[3].task_id).toBe(task.id);
  });

  it('HMAC in a header of choice, compared to the hex digest of the body', async () => {
    const hook = await integration({
      name: 'hmac',
      auth_method: 'hmac',
      auth_header: 'X-Signature',
      auth_secret_id: keyId,
    });
    const body = '{"deploy":true}';
    expect((await call(hook.alias, body, { 'x-signature': sign(body) })).status).toBe(204);
    expect((await call(hook.alias, body, { 'x-signature': sign('{"deploy":false}') })).status).toBe(204);
    expect(await tasksOf(hook.id)).toHaveLength(1);
  });

  it('token: without matchers every authenticated call fires, GET included; a wrong token does not', async () => {
    const hook = await integration({
      name: 'token',
      auth_method: 'token',
      auth_header: 'X-Token',
      auth_secret_id: keyId,
    });
    expect((await call(hook.alias, '', { 'x-token': SECRET }, 'get')).status).toBe(204);
    expect(
      (await call(hook.alias, 'not json at all', { 'x-token': SECRET, 'content-type': 'text/plain' })).status,
    ).toBe(204);
    expect((await call(hook.alias, '{}', { 'x-token': `${SECRET}x` })).status).toBe(204);
    expect(await tasksOf(hook.id)).toHaveLength(2);
    expect((await deliveries(hook.id))[0]).toMatchObject({ matched: false, reason: 'X-Token is wrong' });
  });

  it('an unknown alias starts nothing; an oversized body is 413; deliveries are for members only', async () => {
    const before = await stack.db.dataSource.getRepository(TaskEntity).count();
    expect((await call('no-such-alias', '{}')).status).toBe(204);
    expect(await stack.db.dataSource.getRepository(TaskEntity).count()).toBe(before);
    const hook = await integration({ name: 'open', auth_method: '' });
    const huge = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    expect((await call(hook.alias, huge)).status).toBe(413);
    expect(await tasksOf(hook.id)).toHaveLength(0);
    const { client: outsider } = await stack.withToken();
    expect((await outsider.get(`${projectPath}/integrations/${hook.id}/deliveries`)).status).toBe(404);
  });

  it('a project-level alias reaches the searchable integrations of its project; the global alias those of every project', async () => {
    const searchable = await integration({ name: 'searchable', auth_method: '', searchable: true });
    const hidden = await integration({ name: 'hidden', auth_method: '', searchable: false });
    const projectAlias = await admin.post<{ url: string }>(`${projectPath}/integrations/aliases`);
    expect((await call(projectAlias.body.url.split('/').pop() as string, '{}')).status).toBe(204);
    expect(await tasksOf(searchable.id)).toHaveLength(1);
    expect(await tasksOf(hidden.id)).toHaveLength(0);
    expect((await call(GLOBAL_ALIAS, '{}')).status).toBe(204);
    expect(await tasksOf(searchable.id)).toHaveLength(2);
    expect(await tasksOf(hidden.id)).toHaveLength(0);
  });
});
