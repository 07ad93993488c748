import { AccessKeyType, InventoryType } from '@semaphore/models';
import {
  type AccessKeyEntity,
  EventEntity,
  InventoryEntity,
  type ProjectEntity,
  type RepositoryEntity,
} from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';

type Json = Record<string, unknown>;

/** Appendix A, `GET /api/project/1/inventory/3`. */
const INVENTORY_KEYS = [
  'id',
  'name',
  'project_id',
  'inventory',
  'ssh_key_id',
  'become_key_id',
  'type',
  'holder_id',
  'repository_id',
];
const EMPTY_REFS = { templates: [], inventories: [], repositories: [], schedules: [] };

describe('inventories', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let sshKey: AccessKeyEntity;
  let becomeKey: AccessKeyEntity;
  let repo: RepositoryEntity;
  let other: ProjectEntity;
  let otherKey: AccessKeyEntity;
  let otherRepo: RepositoryEntity;
  let otherInventory: InventoryEntity;

  const inventories = () => stack.db.dataSource.getRepository(InventoryEntity);
  const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];
  const body = (fields: Json = {}): Json => ({
    name: 'Prod',
    type: 'file',
    inventory: 'invs/prod/hosts',
    ssh_key_id: sshKey.id,
    become_key_id: null,
    repository_id: null,
    ...fields,
  });

  beforeAll(async () => {
    stack = await startApiStack();
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/inventory`;
    sshKey = await stack.factories.sshKey(p.project.id, { name: 'Login' });
    becomeKey = await stack.factories.accessKey(p.project.id, { type: AccessKeyType.LoginPassword, secret: 'x' });
    repo = await stack.factories.repository(p.project.id, { name: 'Inventories repo' });
    other = await stack.factories.project();
    otherKey = await stack.factories.accessKey(other.id, { type: AccessKeyType.LoginPassword, secret: 'x' });
    otherRepo = await stack.factories.repository(other.id);
    otherInventory = await stack.factories.inventory(other.id, { name: 'Foreign' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates an inventory: 201 with the object in upstream key order; GET returns the same', async () => {
    const res = await p.manager.post<Json>(P, body({ id: 777, project_id: p.project.id, holder_id: 99 }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(INVENTORY_KEYS);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'Prod',
      project_id: p.project.id,
      inventory: 'invs/prod/hosts',
      ssh_key_id: sshKey.id,
      become_key_id: null,
      type: 'file',
      holder_id: null,
      repository_id: null,
    });
    expect(res.body.id).not.toBe(777);
    const single = await p.guest.get<Json>(`${P}/${res.body.id}`);
    expect([single.status, single.body]).toEqual([200, res.body]);
    expect(Object.keys(single.body)).toEqual(INVENTORY_KEYS);
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: res.body.id as number, objectType: 'inventory' });
    expect(event).toMatchObject({ projectId: p.project.id, description: 'Inventory Prod created' });
  });

  it('accepts every type, a become key (login_password or none) and a repository of the project', async () => {
    const noneKey = await stack.factories.accessKey(p.project.id);
    for (const fields of [
      { type: 'static', inventory: '[web]\n10.0.0.1 ansible_user=deploy\n', become_key_id: becomeKey.id },
      { type: 'static-yaml', inventory: 'all:\n  hosts:\n    web1: {}\n', become_key_id: noneKey.id },
      { type: 'file', inventory: 'hosts.ini', repository_id: repo.id },
      { type: 'file', inventory: 'a/../hosts', ssh_key_id: null },
      { type: 'terraform-workspace', inventory: 'default', ssh_key_id: null },
      { type: 'tofu-workspace', inventory: 'prod-eu', ssh_key_id: becomeKey.id },
    ] as Json[]) {
      const res = await p.owner.post<Json>(P, body({ name: `type ${String(fields.type)}`, ...fields }));
      expect([fields, res.status]).toEqual([fields, 201]);
      expect(res.body).toMatchObject({ ...body(fields), name: `type ${String(fields.type)}` });
      expect((await p.guest.get(`${P}/${res.body.id}`)).body).toEqual(res.body);
    }
  });

  it('lists inventories by name (asc/desc); unknown sort columns fall back to name', async () => {
    const project = await stack.factories.project();
    const b = await stack.factories.inventory(project.id, { name: 'b' });
    const a = await stack.factories.inventory(project.id, { name: 'a', type: InventoryType.StaticYaml });
    const res = await p.admin.get<Json[]>(`/api/project/${project.id}/inventory`);
    expect(res.status).toBe(200);
    expect(res.body.map((i) => i.id)).toEqual([a.id, b.id]);
    expect(Object.keys(res.body[0])).toEqual(INVENTORY_KEYS);
    expect(res.body[0]).toEqual({
      id: a.id,
      name: 'a',
      project_id: project.id,
      inventory: a.inventory,
      ssh_key_id: null,
      become_key_id: null,
      type: 'static-yaml',
      holder_id: null,
      repository_id: null,
    });
    const ids = async (q: string) =>
      (await p.admin.get<Json[]>(`/api/project/${project.id}/inventory${q}`)).body.map((i) => i.id);
    expect(await ids('?sort=name&order=desc')).toEqual([b.id, a.id]);
    expect(await ids('?sort=type&order=asc')).toEqual([a.id, b.id]);
    expect(await ids('?sort=inventory')).toEqual([a.id, b.id]);
  });

  it('refuses hostile and malformed input naming the field, creating nothing', async () => {
    const before = await inventories().countBy({ projectId: p.project.id });
    for (const [payload, field] of [
      [body({ inventory: '../../etc/passwd' }), /^inventory \(a file path\) must stay inside/],
      [body({ inventory: 'a/../../x' }), /^inventory \(a file path\) must stay inside/],
      [body({ inventory: '/etc/passwd' }), /^inventory \(a file path\) must be a relative path/],
      [body({ inventory: '-i' }), /^inventory \(a file path\) must not start with "-"/],
      [body({ inventory: '' }), /^inventory \(a file path\) must not be empty/],
      [body({ inventory: 'hosts\u0000' }), /^inventory \(a file path\) must not contain control/],
      [body({ inventory: 12 }), /^inventory /],
      [body({ type: 'terraform-workspace', inventory: '-chdir=/' }), /^inventory \(a workspace name\) must not start/],
      [body({ type: 'tofu-workspace', inventory: '' }), /^inventory \(a workspace name\) must not be empty/],
      [body({ type: 'bogus' }), /^type must be one of static, static-yaml, file, terraform-workspace, tofu-workspace/],
      [body({ type: undefined }), /^type must be one of/],
      [body({ name: '' }), /^name is required/],
      [body({ name: undefined }), /^name /],
      [body({ ssh_key_id: otherKey.id }), /^ssh_key_id must be the id of an access key of this project/],
      [body({ ssh_key_id: 'x' }), /^ssh_key_id /],
      [body({ ssh_key_id: 0 }), /^ssh_key_id /],
      [body({ become_key_id: otherKey.id }), /^become_key_id must be the id of an access key of this project/],
      [body({ become_key_id: sshKey.id }), /^become_key_id must be a key of type none or login_password, not ssh/],
      [body({ repository_id: otherRepo.id }), /^repository_id must be the id of a repository of this project/],
      [body({ repository_id: 2_000_000 }), /^repository_id must be the id of a repository/],
      [body({ project_id: other.id }), /^project_id in the body must be the project of the URL/],
    ] as Array<[Json, RegExp]>) {
      const res = await p.owner.post<{ error: string }>(P, payload);
      expect([JSON.stringify(payload).slice(0, 120), res.status, res.body]).toEqual([
        JSON.stringify(payload).slice(0, 120),
        400,
        { error: expect.stringMatching(field) },
      ]);
    }
    expect(await inventories().countBy({ projectId: p.project.id })).toBe(before);
  });

  it('PUT replaces the inventory (204) but keeps the server-owned holder_id; ids must match the URL', async () => {
    const inv = await stack.factories.inventory(p.project.id, { name: 'Held', holderId: 4242, sshKeyId: sshKey.id });
    const res = await p.owner.put(`${P}/${inv.id}`, {
      id: inv.id,
      project_id: p.project.id,
      name: 'Renamed',
      type: 'static',
      inventory: 'localhost',
      ssh_key_id: null,
      become_key_id: becomeKey.id,
      holder_id: null,
      repository_id: repo.id,
    });
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await inventories().findOneByOrFail({ id: inv.id })).toMatchObject({
      name: 'Renamed',
      type: 'static',
      inventory: 'localhost',
      sshKeyId: null,
      becomeKeyId: becomeKey.id,
      holderId: 4242,
      repositoryId: repo.id,
      projectId: p.project.id,
    });
    for (const [payload, field] of [
      [body({ id: inv.id + 1 }), /^id in the body/],
      [body({ id: otherInventory.id, project_id: other.id }), /^project_id in the body/],
      [body({ ssh_key_id: otherKey.id }), /^ssh_key_id must be the id of an access key of this project/],
      [body({ inventory: '../../etc/passwd' }), /^inventory /],
    ] as Array<[Json, RegExp]>) {
      const bad = await p.owner.put<{ error: string }>(`${P}/${inv.id}`, payload);
      expect([bad.status, bad.body]).toEqual([400, { error: expect.stringMatching(field) }]);
    }
    expect(await inventories().findOneByOrFail({ id: inv.id })).toMatchObject({ name: 'Renamed', holderId: 4242 });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: inv.id, objectType: 'inventory' });
    expect(event.description).toBe('Inventory Renamed updated');
  });

  it('refs lists templates using it; DELETE is refused while in use', async () => {
    const inv = await stack.factories.inventory(p.project.id);
    const refs = await p.guest.get<Json>(`${P}/${inv.id}/refs`);
    expect([refs.status, refs.body]).toEqual([200, EMPTY_REFS]);
    expect(Object.keys(refs.body)).toEqual(['templates', 'inventories', 'repositories', 'schedules']);
    const tpl = await stack.factories.template(p.project.id, { name: 'Ping', inventoryId: inv.id });
    expect((await p.guest.get<Json>(`${P}/${inv.id}/refs`)).body).toEqual({
      ...EMPTY_REFS,
      templates: [{ id: tpl.id, name: 'Ping' }],
    });
    const del = await p.owner.delete(`${P}/${inv.id}`);
    expect([del.status, del.body]).toEqual([
      400,
      { error: 'Inventory is in use by one or more templates', inUse: true },
    ]);
    expect(await inventories().existsBy({ id: inv.id })).toBe(true);
  });

  it('DELETE removes an unused inventory (204) and logs it', async () => {
    const inv = await stack.factories.inventory(p.project.id, { name: 'Doomed' });
    const res = await p.manager.delete(`${P}/${inv.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await inventories().existsBy({ id: inv.id })).toBe(false);
    expect((await p.guest.get(`${P}/${inv.id}`)).body).toEqual({ error: 'Inventory not found' });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: inv.id, objectType: 'inventory' });
    expect(event.description).toBe('Inventory Doomed deleted');
  });

  it("another project's inventory through this project's URL is 404 on every route", async () => {
    for (const id of [otherInventory.id, 2_000_000]) {
      for (const [method, path] of [
        ['get', `${P}/${id}`],
        ['get', `${P}/${id}/refs`],
        ['put', `${P}/${id}`],
        ['delete', `${P}/${id}`],
      ] as const) {
        const res = method === 'put' ? await p.owner.put(path, body({ name: 'hijack' })) : await p.owner[method](path);
        expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'Inventory not found' }]);
      }
    }
    expect((await p.owner.get(`${P}/-1`)).status).toBe(400);
    expect(await inventories().findOneByOrFail({ id: otherInventory.id })).toMatchObject({ name: 'Foreign' });
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

    it('role matrix for POST, PUT and DELETE; nothing changes on refusal', async () => {
      for (const [role, expected] of Object.entries(WRITE)) {
        const inv = await stack.factories.inventory(p.project.id, { name: 'Fixed' });
        const doomed = await stack.factories.inventory(p.project.id);
        const post = await actor(role).post(P, body({ name: `by ${role}` }));
        const put = await actor(role).put(`${P}/${inv.id}`, body({ name: `renamed by ${role}` }));
        const del = await actor(role).delete(`${P}/${doomed.id}`);
        const codes = expected === 'ok' ? [201, 204, 204] : [expected, expected, expected];
        expect([role, post.status, put.status, del.status]).toEqual([role, ...codes]);
        const name = (await inventories().findOneByOrFail({ id: inv.id })).name;
        expect([role, name]).toEqual([role, expected === 'ok' ? `renamed by ${role}` : 'Fixed']);
        expect([role, await inventories().existsBy({ id: doomed.id })]).toEqual([role, expected !== 'ok']);
        expect([role, await inventories().existsBy({ name: `by ${role}` })]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to members, 404 for non-members, 401 without credentials (no side effect)', async () => {
      const inv = await stack.factories.inventory(p.project.id);
      for (const path of [P, `${P}/${inv.id}`, `${P}/${inv.id}/refs`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      expect((await stack.client().post(P, body({ name: 'anonymous' }))).status).toBe(401);
      expect((await stack.client().delete(`${P}/${inv.id}`)).status).toBe(401);
      expect(await inventories().existsBy({ name: 'anonymous' })).toBe(false);
      expect(await inventories().existsBy({ id: inv.id })).toBe(true);
    });
  });
});
