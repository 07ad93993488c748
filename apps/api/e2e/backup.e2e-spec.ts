import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { utils } from 'ssh2';
import { ProjectEntity, TaskEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { taskQueue } from './task-queue.e2e-helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form backup JSON

const FIXTURE = readFileSync(join(__dirname, 'fixtures/upstream-backup.json'), 'utf8');
const fixture = (): Json => JSON.parse(FIXTURE) as Json;
/** The fixture as this server exports it: with its template extensions (false by default). */
function fixtureAsExported(): Json {
  const backup = fixture();
  for (const t of backup.templates as Json[]) {
    Object.assign(t, { allow_override_branch_in_task: false, allow_parallel_tasks: false });
  }
  return backup;
}

const PROJECT_KEYS = ['id', 'name', 'created', 'alert', 'alert_chat', 'max_parallel_tasks', 'type'];
const SSH_KEY = utils.generateKeyPairSync('ed25519');
const VAULT_PASSWORD = 'vault-pw-Qz81xLm3';
const WEBHOOK_SECRET = 'hook-secret-Pw73Nc';
const ENV_SECRET = 'env-secret-Rt55Kd';
const SECRETS = [
  VAULT_PASSWORD,
  WEBHOOK_SECRET,
  ENV_SECRET,
  ...SSH_KEY.private.split('\n').filter((l) => l.length > 30),
];

describe('project backup and restore (GET P/backup, POST /api/projects/restore)', () => {
  let stack: ApiStack;
  let admin: ApiClient;
  let p: ProjectActors;
  const queues: Queue[] = [];

  const projectCount = () => stack.db.dataSource.getRepository(ProjectEntity).count();

  beforeAll(async () => {
    stack = await startApiStack();
    admin = (await stack.withToken({ admin: true })).client;
    p = await stack.projectWithMembers();
  });

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await stack?.stop();
  });

  async function restore(body: unknown, client = admin) {
    return client.post<Json>('/api/projects/restore', body);
  }

  async function exportOf(projectId: number, client = admin): Promise<Json> {
    const res = await client.get<Json>(`/api/project/${projectId}/backup`);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The id of the item called `name` in a project list. */
  async function idOf(path: string, name: string): Promise<number> {
    const list = await admin.get<Json[]>(path);
    const item = list.body.find((i) => i.name === name || i.title === name);
    if (!item) throw new Error(`${name} not in ${path}`);
    return item.id as number;
  }

  it('restores the upstream fixture: 200 Project; keys empty; templates keep surveys, vaults, flags; crons scheduled', async () => {
    const res = await restore(fixture());
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(PROJECT_KEYS);
    expect(res.body).toMatchObject({
      name: 'Upstream Demo',
      alert: true,
      alert_chat: '-100123456',
      max_parallel_tasks: 2,
    });
    const P = `/api/project/${res.body.id}`;
    const keys = (await admin.get<Json[]>(`${P}/keys`)).body;
    expect(keys).toHaveLength(5);
    expect(keys.every((k) => k.empty === true)).toBe(true);
    const deploy = (await admin.get<Json>(`${P}/templates/${await idOf(`${P}/templates`, 'Deploy app')}`)).body;
    expect(deploy).toMatchObject({ type: 'deploy', autorun: true, suppress_success_alerts: false });
    expect(deploy.survey_vars.map((v: Json) => v.name)).toEqual(['version', 'target', 'token']);
    expect(deploy.vaults.map((v: Json) => v.name).sort()).toEqual([null, 'prod'].sort());
    expect(deploy.build_template_id).toBe(await idOf(`${P}/templates`, 'Build app'));
    const schedules = (await admin.get<Json[]>(`${P}/schedules`)).body;
    expect(schedules.map((s) => [s.tpl_name, s.cron_format, s.active, s.repository_id])).toEqual(
      expect.arrayContaining([
        ['Build app', '0 3 * * *', true, null],
        ['Plan infra', '*/30 * * * *', true, null],
      ]),
    );
    // Registered with the schedule firing at once (BullMQ job schedulers), not only at the next start.
    const schedulers = await taskQueue(stack.redis, 'schedules', queues).getJobSchedulers(0, -1);
    for (const s of schedules) expect(schedulers.map((j) => j.key ?? j.id)).toContain(`schedule-${s.id}`);
    // ... and its backup is the fixture again.
    expect(await exportOf(res.body.id)).toEqual(fixtureAsExported());
  });

  it('a restored webhook with an empty auth key never authenticates, even signed with the key ""', async () => {
    const res = await restore({ ...fixture(), meta: { name: 'Webhook copy' } });
    const P = `/api/project/${res.body.id}`;
    const aliases = (
      await admin.get<Json[]>(`${P}/integrations/${await idOf(`${P}/integrations`, 'GitHub push')}/aliases`)
    ).body;
    const alias = (aliases[0].url as string).split('/').pop() as string;
    const body = JSON.stringify({ ref: 'refs/heads/main', head_commit: { id: 'abc' } });
    const signature = `sha256=${createHmac('sha256', '').update(body).digest('hex')}`;
    const call = await stack.client().post(`/api/integrations/${alias}`, body, {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature, 'x-github-event': 'push' },
    });
    expect(call.status).toBe(204);
    const integrationId = await idOf(`${P}/integrations`, 'GitHub push');
    expect(await stack.db.dataSource.getRepository(TaskEntity).countBy({ integrationId })).toBe(0);
    const deliveries = (await admin.get<Json[]>(`${P}/integrations/${integrationId}/deliveries`)).body;
    expect(deliveries[0]).toMatchObject({ matched: false, reason: 'the auth key has no secret', task_id: null });
  });

  describe('export -> import -> export of a project made through the API', () => {
    let projectId: number;
    let exported: Json;
    let text: string;

    beforeAll(async () => {
      projectId = (await admin.post<Json>('/api/projects', { name: 'Round trip', alert: true, max_parallel_tasks: 3 }))
        .body.id as number;
      const P = `/api/project/${projectId}`;
      const ok = async (res: Promise<{ status: number; text: string }>) => {
        const r = await res;
        if (r.status >= 300) throw new Error(`${r.status} ${r.text}`);
      };
      await ok(
        admin.post(`${P}/keys`, { name: 'deploy', type: 'ssh', ssh: { login: 'ops', private_key: SSH_KEY.private } }),
      );
      await ok(
        admin.post(`${P}/keys`, {
          name: 'vault',
          type: 'login_password',
          login_password: { password: VAULT_PASSWORD },
        }),
      );
      await ok(
        admin.post(`${P}/keys`, { name: 'hook', type: 'login_password', login_password: { password: WEBHOOK_SECRET } }),
      );
      const key = (name: string) => idOf(`${P}/keys`, name);
      await ok(
        admin.post(`${P}/repositories`, {
          name: 'infra',
          git_url: 'git@git.example.test:ops/infra.git',
          git_branch: 'main',
          ssh_key_id: await key('deploy'),
        }),
      );
      await ok(
        admin.post(`${P}/environment`, {
          name: 'prod',
          json: '{"tier":"prod"}',
          env: '{"STAGE":"prod"}',
          secrets: [{ type: 'env', name: 'TOKEN', secret: ENV_SECRET, operation: 'create' }],
        }),
      );
      await ok(
        admin.post(`${P}/inventory`, {
          name: 'hosts',
          type: 'static',
          inventory: 'web1\n',
          ssh_key_id: await key('deploy'),
        }),
      );
      await ok(admin.post(`${P}/views`, { title: 'Releases', position: 1 }));
      const refs = {
        repository_id: await idOf(`${P}/repositories`, 'infra'),
        inventory_id: await idOf(`${P}/inventory`, 'hosts'),
        environment_id: await idOf(`${P}/environment`, 'prod'),
        view_id: await idOf(`${P}/views`, 'Releases'),
      };
      const build = await admin.post<Json>(`${P}/templates`, {
        ...refs,
        name: 'build',
        playbook: 'build.yml',
        type: 'build',
        start_version: '0.1',
        suppress_success_alerts: true,
        survey_vars: [{ name: 'level', title: 'Level', type: 'enum', values: [{ name: 'Low', value: '1' }] }],
      });
      await ok(Promise.resolve(build));
      await ok(
        admin.post(`${P}/templates`, {
          ...refs,
          name: 'deploy',
          playbook: 'deploy.yml',
          type: 'deploy',
          build_template_id: build.body.id,
          autorun: true,
          arguments: '["-v"]',
          allow_override_args_in_task: true,
          allow_parallel_tasks: true,
          runner_tag: 'linux',
          vaults: [{ vault_key_id: await key('vault'), name: 'prod' }],
        }),
      );
      await ok(admin.post(`${P}/schedules`, { template_id: build.body.id, cron_format: '15 2 * * 1', active: true }));
      const hook = await admin.post<Json>(`${P}/integrations`, {
        name: 'on push',
        template_id: build.body.id,
        auth_method: 'hmac',
        auth_header: 'X-Signature',
        auth_secret_id: await key('hook'),
        task_params: { debug: true },
      });
      await ok(Promise.resolve(hook));
      const I = `${P}/integrations/${hook.body.id}`;
      await ok(admin.post(`${I}/matchers`, { name: 'ref', match_type: 'body', key: 'ref', value: 'refs/heads/main' }));
      await ok(admin.post(`${I}/values`, { name: 'sha', value_source: 'body', key: 'after', variable: 'SHA' }));
      await ok(admin.post(`${I}/aliases`));
      await ok(admin.post(`${P}/integrations/aliases`));

      exported = await exportOf(projectId);
      text = JSON.stringify(exported);
    });

    it('the backup holds everything but secrets', () => {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/"(id|project_id|[a-z_]+_id)":/);
      const deploy = exported.templates.find((t: Json) => t.name === 'deploy');
      expect(deploy).toMatchObject({
        build_template: 'build',
        autorun: true,
        vaults: [{ name: 'prod', vault_key: 'vault' }],
        allow_parallel_tasks: true,
        runner_tag: 'linux',
      });
      expect(exported.templates.find((t: Json) => t.name === 'build')).toMatchObject({
        cron: '15 2 * * 1',
        suppress_success_alerts: true,
        survey_vars: [{ name: 'level', type: 'enum', values: [{ name: 'Low', value: '1' }] }],
      });
      expect(exported.keys.map((k: Json) => k.name)).toEqual(['None', 'deploy', 'hook', 'vault']);
      expect(exported.integrations[0]).toMatchObject({ auth_secret: 'hook', task_params: { debug: true } });
      expect(exported.integrations[0].aliases).toHaveLength(1);
      expect(exported.integration_aliases).toHaveLength(1);
    });

    it('moving it (delete, then restore) gives the same backup, aliases included', async () => {
      expect((await admin.delete(`/api/project/${projectId}`)).status).toBe(204);
      const restored = await restore(exported);
      expect(restored.status).toBe(200);
      expect(await exportOf(restored.body.id as number)).toEqual(exported);
    });

    it('a copy on the same server gets new webhook aliases, everything else is the same', async () => {
      const copy = await restore(exported);
      expect(copy.status).toBe(200);
      const again = await exportOf(copy.body.id as number);
      const withoutAliases = (b: Json) => ({
        ...b,
        integration_aliases: [],
        integrations: b.integrations.map((i: Json) => ({ ...i, aliases: [] })),
      });
      expect(withoutAliases(again)).toEqual(withoutAliases(exported));
      expect(again.integration_aliases).not.toEqual(exported.integration_aliases);
    });
  });

  describe('who may', () => {
    it('GET P/backup: every member, guests included (as upstream); non-members 404; anonymous 401', async () => {
      const P = `/api/project/${p.project.id}/backup`;
      for (const client of [p.guest, p.task_runner, p.manager, p.owner, p.admin]) {
        expect((await client.get(P)).status).toBe(200);
      }
      expect((await p.nonMember.get(P)).status).toBe(404);
      expect((await stack.client().get(P)).status).toBe(401);
      expect((await admin.get('/api/project/2000000000/backup')).status).toBe(404);
    });

    it('POST /api/projects/restore: only who may create a project (admins here); others create nothing', async () => {
      const before = await projectCount();
      const owner = await restore(fixture(), p.owner);
      expect([owner.status, owner.body]).toEqual([403, { error: 'only administrators can create projects' }]);
      expect((await stack.client().post('/api/projects/restore', fixture())).status).toBe(401);
      expect(await projectCount()).toBe(before);
    });
  });

  describe('refuses bad backups with 400 naming the field, and creates nothing', () => {
    let before: number;
    beforeAll(async () => {
      before = await projectCount();
    });
    afterAll(async () => {
      expect(await projectCount()).toBe(before);
    });

    it.each<[string, (b: Json) => void, string]>([
      [
        'a missing repository',
        (b) => (b.templates[2].repository = 'x'),
        'templates[2].repository: no repository named "x" in repositories',
      ],
      [
        'an unknown key type',
        (b) => (b.keys[1].type = 'rsa'),
        'keys[1].type: must be one of none, ssh, login_password',
      ],
      ['a wrong type', (b) => (b.views = { title: 'v' }), 'views: must be a list'],
      [
        'a duplicate name',
        (b) => (b.environments[1].name = 'Empty'),
        'environments[1].name: "Empty" is used twice (also environments[0])',
      ],
      ['a control character', (b) => (b.meta.name = 'x\u001by'), 'meta.name: must not contain control characters'],
      [
        'a bad alias in the last section',
        (b) => b.integration_aliases.push('a1b2c3d4e5f6g7h8'),
        'integration_aliases[1]: alias "a1b2c3d4e5f6g7h8" is listed twice (also integrations[0].aliases[0])',
      ],
    ])('%s', async (_, change, message) => {
      const body = fixture();
      change(body);
      const res = await restore(body);
      expect([res.status, res.body]).toEqual([400, { error: message }]);
    });

    it('not JSON, not an object, not sent as JSON, too big', async () => {
      const raw = (body: string, type = 'application/json') =>
        admin.post<Json>('/api/projects/restore', body, { headers: { 'content-type': type } });
      expect((await raw('{"meta":')).body).toEqual({ error: 'request body is not valid JSON' });
      expect(await raw('[]')).toMatchObject({
        status: 400,
        body: { error: 'the backup must be a JSON object (sent as application/json)' },
      });
      expect(await raw(FIXTURE, 'text/plain')).toMatchObject({
        status: 400,
        body: { error: expect.stringContaining('application/json') },
      });
      const huge = JSON.stringify({ meta: { name: 'x' }, views: [{ title: 'x'.repeat(6 * 1024 * 1024) }] });
      expect((await raw(huge)).status).toBe(413);
    });
  });
});
