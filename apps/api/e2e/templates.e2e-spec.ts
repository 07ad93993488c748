import { AccessKeyType, AppId, InventoryType, TaskStatus, TemplateType } from '@semaphore/models';
import {
  type AccessKeyEntity,
  EventEntity,
  InventoryEntity,
  TemplateEntity,
  TemplateVaultEntity,
  type EnvironmentEntity,
  type RepositoryEntity,
  type ViewEntity,
} from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { TASK_KEYS } from './wire-keys';

type Json = Record<string, unknown>;

const TEMPLATE_KEYS = [
  'id',
  'project_id',
  'inventory_id',
  'repository_id',
  'environment_id',
  'name',
  'playbook',
  'arguments',
  'allow_override_args_in_task',
  'description',
  'vaults',
  'type',
  'start_version',
  'build_template_id',
  'view_id',
  'last_task',
  'autorun',
  'git_branch',
  'survey_vars',
  'suppress_success_alerts',
  'app',
  'tasks',
  'allow_override_branch_in_task',
  'allow_parallel_tasks',
  'runner_tag',
  'ssh_options',
];
const TASK_WITH_TPL_KEYS = [
  ...TASK_KEYS,
  'tpl_playbook',
  'tpl_alias',
  'tpl_type',
  'tpl_app',
  'user_name',
  'build_task',
];
const VAULT_SECRET = 'VAULT-CIPHERTEXT-must-never-leave-the-server';

interface Fixtures {
  repo: RepositoryEntity;
  inv: InventoryEntity;
  env: EnvironmentEntity;
  key: AccessKeyEntity;
  view: ViewEntity;
}

describe('templates', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let own: Fixtures;
  let other: Fixtures & { projectId: number; template: TemplateEntity; build: TemplateEntity };

  async function fixtures(projectId: number): Promise<Fixtures> {
    const f = stack.factories;
    return {
      repo: await f.repository(projectId),
      inv: await f.inventory(projectId),
      env: await f.environment(projectId),
      key: await f.accessKey(projectId, { type: AccessKeyType.LoginPassword, secret: VAULT_SECRET }),
      view: await f.view(projectId),
    };
  }

  function body(overrides: Json = {}): Json {
    return {
      name: `Tpl ${stack.factories.next()}`,
      app: 'ansible',
      playbook: 'site.yml',
      repository_id: own.repo.id,
      inventory_id: own.inv.id,
      environment_id: own.env.id,
      ...overrides,
    };
  }

  async function templateCount(): Promise<number> {
    return stack.db.dataSource.getRepository(TemplateEntity).countBy({ projectId: p.project.id });
  }

  async function expect400(client: ApiClient, method: 'post' | 'put', path: string, payload: Json, field: RegExp) {
    const res = await client[method]<{ error: string }>(path, payload);
    expect([res.status, res.body]).toEqual([400, { error: expect.stringMatching(field) }]);
  }

  beforeAll(async () => {
    stack = await startApiStack();
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/templates`;
    own = await fixtures(p.project.id);
    const otherProject = await stack.factories.project();
    const o = await fixtures(otherProject.id);
    other = {
      ...o,
      projectId: otherProject.id,
      template: await stack.factories.template(otherProject.id, { repositoryId: o.repo.id, inventoryId: o.inv.id }),
      build: await stack.factories.template(otherProject.id, { repositoryId: o.repo.id, type: TemplateType.Build }),
    };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates a template: 201 with the complete object in upstream key order; GET returns the same', async () => {
    const res = await p.owner.post<Json>(
      P,
      body({
        name: 'Ping Site',
        description: 'Pings',
        arguments: '["--check","-v"]',
        allow_override_args_in_task: true,
        git_branch: 'release/1.0',
        view_id: own.view.id,
        vaults: [{ id: 0, vault_key_id: own.key.id, name: 'prod' }],
        survey_vars: [
          { name: 'version', title: 'Version', required: true, type: '', description: '', values: null },
          { name: 'tier', title: 'Tier', type: 'enum', values: [{ name: 'Web', value: 'web' }] },
        ],
        autorun: true,
        suppress_success_alerts: true,
        last_task: { id: 999 },
        tasks: 77,
      }),
    );
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(TEMPLATE_KEYS);
    const id = res.body.id as number;
    expect(res.body).toEqual({
      id: expect.any(Number),
      project_id: p.project.id,
      inventory_id: own.inv.id,
      repository_id: own.repo.id,
      environment_id: own.env.id,
      name: 'Ping Site',
      playbook: 'site.yml',
      arguments: '["--check","-v"]',
      allow_override_args_in_task: true,
      description: 'Pings',
      vaults: [
        { id: expect.any(Number), project_id: p.project.id, template_id: id, vault_key_id: own.key.id, name: 'prod' },
      ],
      type: '',
      start_version: null,
      build_template_id: null,
      view_id: own.view.id,
      last_task: null,
      autorun: true,
      git_branch: 'release/1.0',
      survey_vars: [
        { name: 'version', title: 'Version', required: true, type: '', description: '', values: null },
        {
          name: 'tier',
          title: 'Tier',
          required: false,
          type: 'enum',
          description: '',
          values: [{ name: 'Web', value: 'web' }],
        },
      ],
      suppress_success_alerts: true,
      app: 'ansible',
      tasks: 0,
      allow_override_branch_in_task: false,
      allow_parallel_tasks: false,
      runner_tag: null,
      ssh_options: null,
    });
    expect(Object.keys((res.body.vaults as Json[])[0])).toEqual([
      'id',
      'project_id',
      'template_id',
      'vault_key_id',
      'name',
    ]);
    expect(Object.keys((res.body.survey_vars as Json[])[0])).toEqual([
      'name',
      'title',
      'required',
      'type',
      'description',
      'values',
    ]);

    const single = await p.guest.get<Json>(`${P}/${id}`);
    expect(single.status).toBe(200);
    expect(single.body).toEqual(res.body);
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneBy({ objectId: id, objectType: 'template' });
    expect(event?.description).toBe('Template Ping Site created');
  });

  it('defaults: arguments null, description null, type "", app ansible; "" arguments and git_branch become null', async () => {
    const res = await p.manager.post<Json>(P, body({ app: undefined, arguments: '', git_branch: '' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      arguments: null,
      description: null,
      type: '',
      app: 'ansible',
      git_branch: null,
      vaults: [],
      survey_vars: [],
    });
  });

  it('lists complete objects with last_task (TaskWithTpl of the newest task) and the task count', async () => {
    const view = await stack.factories.view(p.project.id);
    const tpl = await stack.factories.template(p.project.id, {
      name: 'Listed',
      repositoryId: own.repo.id,
      inventoryId: own.inv.id,
      viewId: view.id,
      autorun: true,
      suppressSuccessAlerts: true,
      surveyVars: [{ name: 's', title: 'S', required: false, type: 'secret', description: '', values: null }],
    });
    await stack.factories.templateVault(tpl, { vaultKeyId: own.key.id, name: 'v1' });
    const user = await stack.factories.user({ name: 'Runner Person' });
    await stack.factories.task(tpl, { status: TaskStatus.Success });
    const newest = await stack.factories.task(tpl, { userId: user.id, status: TaskStatus.Error });

    const list = await p.guest.get<Json[]>(P);
    expect(list.status).toBe(200);
    const item = list.body.find((t) => t.id === tpl.id) as Json;
    expect(Object.keys(item)).toEqual(TEMPLATE_KEYS);
    expect(item).toMatchObject({ autorun: true, suppress_success_alerts: true, tasks: 2, view_id: view.id });
    expect(item.vaults).toEqual([expect.objectContaining({ vault_key_id: own.key.id, name: 'v1' })]);
    expect(item.survey_vars).toEqual([expect.objectContaining({ name: 's', type: 'secret' })]);
    const last = item.last_task as Json;
    expect(Object.keys(last)).toEqual(TASK_WITH_TPL_KEYS);
    expect(last).toMatchObject({
      id: newest.id,
      template_id: tpl.id,
      status: 'error',
      secret: '{}',
      tpl_alias: 'Listed',
      tpl_playbook: 'site.yml',
      tpl_type: '',
      tpl_app: 'ansible',
      user_name: 'Runner Person',
      build_task: null,
    });
    const single = await p.guest.get<Json>(`${P}/${tpl.id}`);
    expect(single.body).toEqual(item);
    const ofView = list.body.filter((t) => t.view_id === view.id);
    expect(ofView).toHaveLength(1);
  });

  it('sorts only on whitelisted columns, mapped to columns and joins; anything else falls back to name', async () => {
    const project = await stack.factories.project();
    const f = stack.factories;
    const repoB = await f.repository(project.id, { name: 'B repo' });
    const repoA = await f.repository(project.id, { name: 'A repo' });
    const invZ = await f.inventory(project.id, { name: 'Z inv' });
    const invY = await f.inventory(project.id, { name: 'Y inv' });
    const env = async (name: string) => (await f.environment(project.id, { name })).id;
    const common = { projectId: project.id };
    await f.template(project.id, {
      ...common,
      name: 'a',
      playbook: 'z.yml',
      repositoryId: repoA.id,
      inventoryId: invZ.id,
      environmentId: await env('M env'),
    });
    await f.template(project.id, {
      ...common,
      name: 'b',
      playbook: 'y.yml',
      repositoryId: repoB.id,
      inventoryId: invY.id,
      environmentId: await env('K env'),
    });
    await f.template(project.id, {
      ...common,
      name: 'c',
      playbook: 'x.yml',
      repositoryId: repoA.id,
      inventoryId: invZ.id,
      environmentId: await env('L env'),
    });
    const names = async (query: string) => {
      const res = await p.admin.get<Json[]>(`/api/project/${project.id}/templates${query}`);
      expect(res.status).toBe(200);
      return res.body.map((t) => t.name);
    };
    expect(await names('')).toEqual(['a', 'b', 'c']);
    expect(await names('?sort=name&order=desc')).toEqual(['c', 'b', 'a']);
    expect(await names('?sort=playbook')).toEqual(['c', 'b', 'a']);
    expect(await names('?sort=repository&order=asc')).toEqual(['a', 'c', 'b']);
    expect(await names('?sort=inventory')).toEqual(['b', 'a', 'c']);
    expect(await names('?sort=environment')).toEqual(['b', 'c', 'a']);
    expect(await names('?sort=inventory&order=DESC')).toEqual(['c', 'a', 'b']);
    expect(await names('?sort=id%3Bdrop%20table%20task&order=sideways')).toEqual(['a', 'b', 'c']);
    expect(await names('?sort=project__template.playbook')).toEqual(['a', 'b', 'c']);
  });

  it('PUT replaces the template (204) and its vaults wholesale: id 0 inserted, kept ids updated, missing deleted', async () => {
    const created = await p.owner.post<Json>(
      P,
      body({
        vaults: [
          { vault_key_id: own.key.id, name: 'keep' },
          { vault_key_id: own.key.id, name: 'drop' },
        ],
      }),
    );
    const id = created.body.id as number;
    const [keep, drop] = created.body.vaults as Json[];
    const key2 = await stack.factories.accessKey(p.project.id, { type: AccessKeyType.LoginPassword });
    const res = await p.manager.put(`${P}/${id}`, {
      ...created.body,
      name: 'Renamed',
      playbook: 'deploy/main.yml',
      description: 'changed',
      allow_parallel_tasks: true,
      allow_override_branch_in_task: true,
      vaults: [
        { ...keep, vault_key_id: key2.id, name: 'kept' },
        { id: 0, vault_key_id: own.key.id, name: 'added' },
      ],
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const after = await p.guest.get<Json>(`${P}/${id}`);
    expect(after.body).toMatchObject({ name: 'Renamed', playbook: 'deploy/main.yml', description: 'changed' });
    const vaults = after.body.vaults as Json[];
    expect(vaults.map((v) => [v.name, v.vault_key_id])).toEqual([
      ['kept', key2.id],
      ['added', own.key.id],
    ]);
    expect(vaults[0].id).toBe(keep.id);
    expect(await stack.db.dataSource.getRepository(TemplateVaultEntity).existsBy({ id: drop.id as number })).toBe(
      false,
    );
    const row = await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id });
    expect([row.allowParallelTasks, row.allowOverrideBranchInTask]).toEqual([true, true]);

    // A PUT without the extra flags keeps them; upstream fields absent from the body take their zero values.
    expect((await p.owner.put(`${P}/${id}`, body({ name: 'Again' }))).status).toBe(204);
    const again = await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id });
    expect([again.allowParallelTasks, again.description]).toEqual([true, null]);
    expect((await p.guest.get<Json>(`${P}/${id}`)).body.vaults).toEqual([]);
  });

  it('runner_tag: set on POST, kept by a PUT without it, cleared by null or "", refused when malformed', async () => {
    const created = await p.manager.post<Json>(P, body({ runner_tag: 'edge' }));
    expect(created.status).toBe(201);
    expect(created.body.runner_tag).toBe('edge');
    const id = created.body.id as number;
    const tagOf = async () =>
      (await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id })).runnerTag;
    expect((await p.manager.put(`${P}/${id}`, body({ name: 'Tagged' }))).status).toBe(204);
    expect(await tagOf()).toBe('edge');
    expect((await p.manager.put(`${P}/${id}`, body({ name: 'Tagged', runner_tag: '' }))).status).toBe(204);
    expect(await tagOf()).toBeNull();
    expect((await p.manager.put(`${P}/${id}`, body({ name: 'Tagged', runner_tag: 'gpu' }))).status).toBe(204);
    expect((await p.manager.put(`${P}/${id}`, body({ name: 'Tagged', runner_tag: null }))).status).toBe(204);
    expect(await tagOf()).toBeNull();
    await expect400(p.manager, 'post', P, body({ runner_tag: 'Bad Tag' }), /^runner_tag /);
    await expect400(p.manager, 'put', `${P}/${id}`, body({ runner_tag: 'UPPER' }), /^runner_tag /);
  });

  it('PUT refuses a body id or project_id that differs from the URL, and vault ids of another template', async () => {
    const tpl = await stack.factories.template(p.project.id, { repositoryId: own.repo.id, inventoryId: own.inv.id });
    const foreign = await stack.factories.template(p.project.id, {
      repositoryId: own.repo.id,
      inventoryId: own.inv.id,
    });
    const foreignVault = await stack.factories.templateVault(foreign, { vaultKeyId: own.key.id });
    await expect400(p.owner, 'put', `${P}/${tpl.id}`, body({ id: tpl.id + 1000 }), /^id /);
    await expect400(
      p.owner,
      'put',
      `${P}/${tpl.id}`,
      body({ id: tpl.id, project_id: other.projectId }),
      /^project_id /,
    );
    await expect400(
      p.owner,
      'put',
      `${P}/${tpl.id}`,
      body({ vaults: [{ id: foreignVault.id, vault_key_id: own.key.id }] }),
      /^vaults\.0\.id /,
    );
    expect(
      await stack.db.dataSource.getRepository(TemplateVaultEntity).findOneBy({ id: foreignVault.id }),
    ).toMatchObject({
      templateId: foreign.id,
    });
    const unchanged = await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id: tpl.id });
    expect(unchanged.name).toBe(tpl.name);
    expect((await p.owner.put(`${P}/${tpl.id}`, body({ id: tpl.id, project_id: p.project.id }))).status).toBe(204);
  });

  it('creates a "<name> - default" workspace inventory for terraform/tofu templates without one', async () => {
    for (const [app, type] of [
      [AppId.Terraform, InventoryType.TerraformWorkspace],
      [AppId.Tofu, InventoryType.TofuWorkspace],
    ]) {
      const res = await p.owner.post<Json>(P, body({ name: `Infra ${app}`, app, playbook: '', inventory_id: null }));
      expect(res.status).toBe(201);
      const inventory = await stack.db.dataSource
        .getRepository(InventoryEntity)
        .findOneByOrFail({ id: res.body.inventory_id as number });
      expect(inventory).toMatchObject({
        name: `Infra ${app} - default`,
        type,
        inventory: 'default',
        holderId: res.body.id,
        projectId: p.project.id,
      });
      expect((await p.owner.delete(`${P}/${res.body.id}`)).status).toBe(204);
      expect(await stack.db.dataSource.getRepository(InventoryEntity).existsBy({ id: inventory.id })).toBe(false);
    }
    const withInventory = await p.owner.post<Json>(P, body({ app: 'terraform', playbook: 'infra/' }));
    expect(withInventory.body.inventory_id).toBe(own.inv.id);
  });

  it('DELETE removes the template (204), logs it, and later reads give 404', async () => {
    const tpl = await stack.factories.template(p.project.id, { repositoryId: own.repo.id, inventoryId: own.inv.id });
    await stack.factories.task(tpl);
    const res = await p.manager.delete(`${P}/${tpl.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await p.owner.get(`${P}/${tpl.id}`)).toMatchObject({ status: 404, body: { error: 'Template not found' } });
    const events = await stack.db.dataSource
      .getRepository(EventEntity)
      .findBy({ objectId: tpl.id, objectType: 'template' });
    expect(events.map((e) => e.description)).toContain(`Template ${tpl.name} deleted`);
  });

  it('refs lists deploy templates, schedules and integrations; a used build template cannot be deleted', async () => {
    const build = await stack.factories.template(p.project.id, {
      name: 'Builder',
      repositoryId: own.repo.id,
      inventoryId: own.inv.id,
      type: TemplateType.Build,
    });
    const deploy = await p.owner.post<Json>(P, body({ name: 'Deployer', type: 'deploy', build_template_id: build.id }));
    expect(deploy.status).toBe(201);
    const schedule = await stack.factories.schedule(build, { name: 'nightly' });
    const integration = await stack.factories.integration(build, { name: 'hook' });
    const refs = await p.guest.get<Json>(`${P}/${build.id}/refs`);
    expect(refs.status).toBe(200);
    expect(Object.keys(refs.body)).toEqual(['templates', 'inventories', 'repositories', 'schedules', 'integrations']);
    expect(refs.body).toEqual({
      templates: [{ id: deploy.body.id, name: 'Deployer' }],
      inventories: [],
      repositories: [],
      schedules: [{ id: schedule.id, name: 'nightly' }],
      integrations: [{ id: integration.id, name: 'hook' }],
    });
    const refused = await p.owner.delete(`${P}/${build.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'Template is in use by one or more templates', inUse: true });
    expect((await p.owner.delete(`${P}/${deploy.body.id}`)).status).toBe(204);
    expect((await p.owner.delete(`${P}/${build.id}`)).status).toBe(204);
  });

  it('validates the body naming the field, and creates nothing', async () => {
    const before = await templateCount();
    const cases: Array<[Json, RegExp]> = [
      [{ name: undefined }, /^name /],
      [{ name: '' }, /^name /],
      [{ name: 'x'.repeat(256) }, /^name /],
      [{ app: 'docker' }, /^app must be one of/],
      [{ app: '' }, /^app /],
      [{ playbook: undefined }, /^playbook is required/],
      [{ playbook: '../../etc/passwd' }, /^playbook must stay inside/],
      [{ playbook: '-e@/etc/shadow' }, /^playbook must not start with "-"/],
      [{ playbook: '/etc/passwd' }, /^playbook must be a relative path/],
      [{ playbook: 5 }, /^playbook /],
      [{ inventory_id: null }, /^inventory_id is required for ansible/],
      [{ repository_id: undefined }, /^repository_id /],
      [{ repository_id: '1' }, /^repository_id /],
      [{ repository_id: 1e12 }, /^repository_id /],
      [{ arguments: '--check' }, /^arguments must be valid JSON/],
      [{ arguments: '{"a":1}' }, /^arguments must be a JSON array of strings/],
      [{ arguments: '[1,2]' }, /^arguments must be a JSON array of strings/],
      [{ arguments: ['--check'] }, /^arguments /],
      [{ type: 'workflow' }, /^type /],
      [{ type: 'deploy' }, /^build_template_id is required/],
      [{ git_branch: '-upload-pack=touch /tmp/x' }, /^git_branch must not start with "-"/],
      [{ git_branch: 'a..b' }, /^git_branch /],
      [{ survey_vars: [{ title: 'no name' }] }, /^survey_vars\.0\.name/],
      [{ survey_vars: [{ name: 'x', type: 'float' }] }, /^survey_vars\.0\.type/],
      [{ survey_vars: [{ name: 'x', type: 'enum' }] }, /^survey_vars\.0\.values/],
      [{ survey_vars: [{ name: 'x' }, { name: 'x' }] }, /^survey_vars\.1\.name/],
      [{ survey_vars: 'nope' }, /^survey_vars /],
      [{ vaults: [{ name: 'v' }] }, /^vaults\.0\.vault_key_id/],
      [{ vaults: [{ vault_key_id: own.key.id, name: 'x@/etc/shadow' }] }, /^vaults\.0\.name/],
      [{ allow_override_args_in_task: 'yes' }, /^allow_override_args_in_task /],
    ];
    for (const [overrides, field] of cases) {
      const res = await p.owner.post<{ error: string }>(P, body(overrides));
      expect([JSON.stringify(overrides).slice(0, 80), res.status, res.body]).toEqual([
        JSON.stringify(overrides).slice(0, 80),
        400,
        { error: expect.stringMatching(field) },
      ]);
    }
    const notJson = await p.owner.post(P, '{"name": ');
    expect(notJson.status).toBe(400);
    expect(await templateCount()).toBe(before);
  });

  it('deploy templates need a build template of the same project', async () => {
    const plain = await stack.factories.template(p.project.id, { repositoryId: own.repo.id, inventoryId: own.inv.id });
    await expect400(
      p.owner,
      'post',
      P,
      body({ type: 'deploy', build_template_id: plain.id }),
      /^build_template_id must refer to another template of type build/,
    );
    await expect400(
      p.owner,
      'post',
      P,
      body({ type: 'deploy', build_template_id: 2_000_000 }),
      /^build_template_id does not refer/,
    );
    const build = await stack.factories.template(p.project.id, {
      repositoryId: own.repo.id,
      inventoryId: own.inv.id,
      type: TemplateType.Build,
    });
    await expect400(
      p.owner,
      'put',
      `${P}/${build.id}`,
      body({ type: 'build', build_template_id: build.id }),
      /^build_template_id/,
    );
    const ok = await p.owner.post<Json>(P, body({ type: 'build', start_version: '1.0.0' }));
    expect(ok.body).toMatchObject({ type: 'build', start_version: '1.0.0' });
  });

  it('refuses ids of another project in the body (400 naming the field), creating nothing', async () => {
    const before = await templateCount();
    const cases: Array<[Json, RegExp]> = [
      [{ repository_id: other.repo.id }, /^repository_id does not refer to a repository of this project/],
      [{ inventory_id: other.inv.id }, /^inventory_id does not refer to an inventory of this project/],
      [{ environment_id: other.env.id }, /^environment_id does not refer to an environment of this project/],
      [{ view_id: other.view.id }, /^view_id does not refer to a view of this project/],
      [
        { type: 'deploy', build_template_id: other.build.id },
        /^build_template_id does not refer to a template of this project/,
      ],
      [
        { vaults: [{ vault_key_id: other.key.id }] },
        /^vaults\.0\.vault_key_id does not refer to a key of this project/,
      ],
      [{ project_id: other.projectId }, /^project_id /],
    ];
    for (const [overrides, field] of cases) await expect400(p.owner, 'post', P, body(overrides), field);
    const tpl = await stack.factories.template(p.project.id, { repositoryId: own.repo.id, inventoryId: own.inv.id });
    for (const [overrides, field] of cases) await expect400(p.owner, 'put', `${P}/${tpl.id}`, body(overrides), field);
    expect(await templateCount()).toBe(before + 1);
    const row = await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id: tpl.id });
    expect(row).toMatchObject({ repositoryId: own.repo.id, inventoryId: own.inv.id });
  });

  it("another project's template through this project's URL is 404 on every route; unknown and malformed ids too", async () => {
    const id = other.template.id;
    for (const [method, path] of [
      ['get', `${P}/${id}`],
      ['get', `${P}/${id}/refs`],
      ['get', `${P}/${id}/schedules`],
      ['put', `${P}/${id}`],
      ['delete', `${P}/${id}`],
      ['get', `${P}/2000000`],
    ] as const) {
      const res = method === 'put' ? await p.owner.put(path, body()) : await p.owner[method](path);
      expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'Template not found' }]);
    }
    expect((await p.owner.get(`${P}/abc`)).status).toBe(400);
    expect(await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id })).toMatchObject({
      name: other.template.name,
    });
  });

  it('never returns vault key secrets (list, single, refs, events)', async () => {
    const created = await p.owner.post<Json>(P, body({ vaults: [{ vault_key_id: own.key.id, name: 'sec' }] }));
    const id = created.body.id as number;
    for (const res of [
      created,
      await p.guest.get(P),
      await p.guest.get(`${P}/${id}`),
      await p.guest.get(`${P}/${id}/refs`),
    ]) {
      expect(res.text).not.toContain(VAULT_SECRET);
      expect(res.text).not.toMatch(/"(password|secret|login_password|private_key)":"[^{]/);
    }
    const events = await stack.db.dataSource.getRepository(EventEntity).find();
    expect(JSON.stringify(events)).not.toContain(VAULT_SECRET);
  });

  describe('permissions', () => {
    const WRITE: Record<string, number | 'ok'> = {
      owner: 'ok',
      manager: 'ok',
      task_runner: 403,
      guest: 403,
      nonMember: 404,
      admin: 'ok',
    };
    const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];

    it('role matrix for POST, PUT and DELETE; nothing changes on refusal', async () => {
      for (const [role, expected] of Object.entries(WRITE)) {
        const tpl = await stack.factories.template(p.project.id, {
          repositoryId: own.repo.id,
          inventoryId: own.inv.id,
        });
        const post = await actor(role).post(P, body({ name: `by ${role}` }));
        const put = await actor(role).put(`${P}/${tpl.id}`, body({ name: `renamed by ${role}` }));
        const del = await actor(role).delete(`${P}/${tpl.id}`);
        const codes = expected === 'ok' ? [201, 204, 204] : [expected, expected, expected];
        expect([role, post.status, put.status, del.status]).toEqual([role, ...codes]);
        const exists = await stack.db.dataSource.getRepository(TemplateEntity).findOneBy({ id: tpl.id });
        if (expected === 'ok') expect(exists).toBeNull();
        else expect(exists?.name).toBe(tpl.name);
        const created = await stack.db.dataSource.getRepository(TemplateEntity).existsBy({ name: `by ${role}` });
        expect([role, created]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to every member (guests too), 404 for non-members, 401 without credentials', async () => {
      const tpl = await stack.factories.template(p.project.id, { repositoryId: own.repo.id, inventoryId: own.inv.id });
      for (const path of [P, `${P}/${tpl.id}`, `${P}/${tpl.id}/refs`, `${P}/${tpl.id}/schedules`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      const anonymous = await stack.client().post(P, body({ name: 'anonymous' }));
      expect(anonymous.status).toBe(401);
      expect(await stack.db.dataSource.getRepository(TemplateEntity).existsBy({ name: 'anonymous' })).toBe(false);
    });
  });
});
