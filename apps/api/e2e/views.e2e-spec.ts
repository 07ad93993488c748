import { EventEntity, TemplateEntity, ViewEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';

type Json = Record<string, unknown>;

const VIEW_KEYS = ['id', 'project_id', 'title', 'position'];

describe('views', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let otherView: ViewEntity;

  const views = () => stack.db.dataSource.getRepository(ViewEntity);
  const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];

  beforeAll(async () => {
    stack = await startApiStack();
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/views`;
    const otherProject = await stack.factories.project();
    otherView = await stack.factories.view(otherProject.id, { title: 'Foreign' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates a view: 201 with the object in upstream key order; GET returns it', async () => {
    const res = await p.manager.post<Json>(P, { title: 'Deploys', position: 3, id: 999, project_id: p.project.id });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(VIEW_KEYS);
    expect(res.body).toEqual({ id: expect.any(Number), project_id: p.project.id, title: 'Deploys', position: 3 });
    expect(res.body.id).not.toBe(999);
    const single = await p.guest.get<Json>(`${P}/${res.body.id}`);
    expect([single.status, single.body]).toEqual([200, res.body]);
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneBy({ objectId: res.body.id as number, objectType: 'view' });
    expect(event?.description).toBe('View Deploys created');
  });

  it('lists the views by position', async () => {
    const project = await stack.factories.project();
    await stack.factories.view(project.id, { title: 'third', position: 30 });
    await stack.factories.view(project.id, { title: 'first', position: -1 });
    await stack.factories.view(project.id, { title: 'second', position: 7 });
    const res = await p.admin.get<Json[]>(`/api/project/${project.id}/views`);
    expect(res.status).toBe(200);
    expect(res.body.map((v) => v.title)).toEqual(['first', 'second', 'third']);
    expect(Object.keys(res.body[0])).toEqual(VIEW_KEYS);
  });

  it('PUT updates title and position (204); id/project_id in the body must match the URL', async () => {
    const view = await stack.factories.view(p.project.id, { title: 'Old', position: 1 });
    const res = await p.owner.put(`${P}/${view.id}`, {
      id: view.id,
      project_id: p.project.id,
      title: 'New',
      position: 9,
    });
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await views().findOneByOrFail({ id: view.id })).toMatchObject({ title: 'New', position: 9 });
    for (const [payload, field] of [
      [{ id: view.id + 1, title: 'X' }, /^id /],
      [{ project_id: otherView.projectId, title: 'X' }, /^project_id /],
      [{ title: '' }, /^title /],
      [{ position: 1 }, /^title /],
      [{ title: 'X', position: 1.5 }, /^position /],
      [{ title: 'X', position: 2 ** 40 }, /^position /],
    ] as Array<[Json, RegExp]>) {
      const bad = await p.owner.put<{ error: string }>(`${P}/${view.id}`, payload);
      expect([bad.status, bad.body]).toEqual([400, { error: expect.stringMatching(field) }]);
    }
    expect(await views().findOneByOrFail({ id: view.id })).toMatchObject({ title: 'New', position: 9 });
  });

  it('validates POST naming the field, creating nothing', async () => {
    const before = await views().countBy({ projectId: p.project.id });
    for (const [payload, field] of [
      [{}, /^title /],
      [{ title: '' }, /^title is required/],
      [{ title: 'x'.repeat(256) }, /^title /],
      [{ title: 7 }, /^title /],
      [{ title: 'ok', position: '1' }, /^position /],
      [{ title: 'ok', project_id: otherView.projectId }, /^project_id /],
    ] as Array<[Json, RegExp]>) {
      const res = await p.owner.post<{ error: string }>(P, payload);
      expect([res.status, res.body]).toEqual([400, { error: expect.stringMatching(field) }]);
    }
    expect(await views().countBy({ projectId: p.project.id })).toBe(before);
  });

  it('DELETE removes the view (204); its templates stay, with view_id null', async () => {
    const view = await stack.factories.view(p.project.id);
    const tpl = await stack.factories.template(p.project.id, { viewId: view.id });
    const res = await p.manager.delete(`${P}/${view.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await views().existsBy({ id: view.id })).toBe(false);
    const template = await p.guest.get<Json>(`/api/project/${p.project.id}/templates/${tpl.id}`);
    expect(template.body).toMatchObject({ id: tpl.id, view_id: null });
    expect((await p.guest.get(`${P}/${view.id}`)).body).toEqual({ error: 'View not found' });
  });

  it('GET {id}/templates lists the complete templates of that view only', async () => {
    const view = await stack.factories.view(p.project.id);
    const mine = await stack.factories.template(p.project.id, { name: 'In view', viewId: view.id, autorun: true });
    await stack.factories.template(p.project.id, { name: 'Elsewhere' });
    const res = await p.guest.get<Json[]>(`${P}/${view.id}/templates`);
    expect(res.status).toBe(200);
    expect(res.body.map((t) => t.id)).toEqual([mine.id]);
    expect(res.body[0]).toMatchObject({ name: 'In view', view_id: view.id, autorun: true, vaults: [], tasks: 0 });
    expect(Object.keys(res.body[0])).toContain('survey_vars');
    const empty = await stack.factories.view(p.project.id);
    expect((await p.guest.get(`${P}/${empty.id}/templates`)).body).toEqual([]);
  });

  it('POST positions sets positions (204); every id must be a view of this project', async () => {
    const a = await stack.factories.view(p.project.id, { position: 1 });
    const b = await stack.factories.view(p.project.id, { position: 2 });
    const res = await p.manager.post(`${P}/positions`, { [a.id]: 20, [b.id]: 10 });
    expect([res.status, res.text]).toEqual([204, '']);
    expect((await views().findOneByOrFail({ id: a.id })).position).toBe(20);
    expect((await views().findOneByOrFail({ id: b.id })).position).toBe(10);
    const order = (await p.guest.get<Json[]>(P)).body.map((v) => v.id);
    expect(order.indexOf(b.id)).toBeLessThan(order.indexOf(a.id));

    for (const payload of [
      { [a.id]: 1, [otherView.id]: 5 },
      { [a.id]: 1, 2000000: 5 },
      { [a.id]: '1' },
      { [a.id]: 1.5 },
      { [a.id]: 2 ** 40 },
      { abc: 1 },
      { '-1': 1 },
      [a.id, 1],
    ]) {
      const bad = await p.owner.post<{ error: string }>(`${P}/positions`, payload);
      expect([JSON.stringify(payload), bad.status, bad.body]).toEqual([
        JSON.stringify(payload),
        400,
        { error: expect.any(String) },
      ]);
    }
    expect((await views().findOneByOrFail({ id: a.id })).position).toBe(20);
    expect((await views().findOneByOrFail({ id: otherView.id })).position).toBe(otherView.position);
    expect((await p.owner.post(`${P}/positions`, {})).status).toBe(204);
  });

  it("another project's view through this project's URL is 404 on every route", async () => {
    for (const [method, path] of [
      ['get', `${P}/${otherView.id}`],
      ['get', `${P}/${otherView.id}/templates`],
      ['put', `${P}/${otherView.id}`],
      ['delete', `${P}/${otherView.id}`],
      ['get', `${P}/2000000`],
    ] as const) {
      const res = method === 'put' ? await p.owner.put(path, { title: 'hijack' }) : await p.owner[method](path);
      expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'View not found' }]);
    }
    expect((await p.owner.get(`${P}/x1`)).status).toBe(400);
    expect(await views().findOneByOrFail({ id: otherView.id })).toMatchObject({ title: 'Foreign' });
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

    it('role matrix for POST, PUT, DELETE and POST positions; nothing changes on refusal', async () => {
      for (const [role, expected] of Object.entries(WRITE)) {
        const view = await stack.factories.view(p.project.id, { title: 'Fixed', position: 5 });
        const doomed = await stack.factories.view(p.project.id);
        const post = await actor(role).post(P, { title: `by ${role}` });
        const put = await actor(role).put(`${P}/${view.id}`, { title: `renamed by ${role}` });
        const positions = await actor(role).post(`${P}/positions`, { [view.id]: 42 });
        const del = await actor(role).delete(`${P}/${doomed.id}`);
        const codes = expected === 'ok' ? [201, 204, 204, 204] : [expected, expected, expected, expected];
        expect([role, post.status, put.status, positions.status, del.status]).toEqual([role, ...codes]);
        const after = await views().findOneByOrFail({ id: view.id });
        if (expected === 'ok') expect(after).toMatchObject({ title: `renamed by ${role}`, position: 42 });
        else expect(after).toMatchObject({ title: 'Fixed', position: 5 });
        expect([role, await views().existsBy({ id: doomed.id })]).toEqual([role, expected !== 'ok']);
        expect([role, await views().existsBy({ title: `by ${role}` })]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to members, 404 for non-members, 401 without credentials', async () => {
      const view = await stack.factories.view(p.project.id);
      for (const path of [P, `${P}/${view.id}`, `${P}/${view.id}/templates`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      expect((await stack.client().post(P, { title: 'anonymous' })).status).toBe(401);
      expect(await views().existsBy({ title: 'anonymous' })).toBe(false);
    });
  });

  it('keeps templates of other views untouched when a view is deleted', async () => {
    const keep = await stack.factories.view(p.project.id);
    const drop = await stack.factories.view(p.project.id);
    const tpl = await stack.factories.template(p.project.id, { viewId: keep.id });
    expect((await p.owner.delete(`${P}/${drop.id}`)).status).toBe(204);
    expect(await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id: tpl.id })).toMatchObject({
      viewId: keep.id,
    });
  });
});
