import { EventEntity, ScheduleEntity, type RepositoryEntity, type TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';

type Json = Record<string, unknown>;

const SCHEDULE_KEYS = ['id', 'project_id', 'template_id', 'cron_format', 'name', 'active', 'repository_id'];

describe('schedules', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let tpl: TemplateEntity;
  let repo: RepositoryEntity;
  let other: { template: TemplateEntity; repo: RepositoryEntity; schedule: ScheduleEntity };

  const schedules = () => stack.db.dataSource.getRepository(ScheduleEntity);
  const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];
  const body = (overrides: Json = {}): Json => ({
    template_id: tpl.id,
    cron_format: '*/5 * * * *',
    name: 'every five',
    active: true,
    ...overrides,
  });

  beforeAll(async () => {
    stack = await startApiStack();
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/schedules`;
    tpl = await stack.factories.template(p.project.id, { name: 'Ping Site' });
    repo = await stack.factories.repository(p.project.id);
    const otherProject = await stack.factories.project();
    const otherTemplate = await stack.factories.template(otherProject.id);
    other = {
      template: otherTemplate,
      repo: await stack.factories.repository(otherProject.id),
      schedule: await stack.factories.schedule(otherTemplate, { cronFormat: '0 1 * * *' }),
    };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates a schedule: 201 with the Schedule keys in upstream order (no last_commit_hash)', async () => {
    const res = await p.manager.post<Json>(P, body({ repository_id: repo.id, id: 77, project_id: p.project.id }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(SCHEDULE_KEYS);
    expect(res.body).toEqual({
      id: expect.any(Number),
      project_id: p.project.id,
      template_id: tpl.id,
      cron_format: '*/5 * * * *',
      name: 'every five',
      active: true,
      repository_id: repo.id,
    });
    const single = await p.guest.get<Json>(`${P}/${res.body.id}`);
    expect([single.status, single.body]).toEqual([200, res.body]);
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneBy({ objectId: res.body.id as number, objectType: 'schedule' });
    expect(event?.description).toBe('Schedule every five created');
  });

  it('lists the project schedules with tpl_name (Appendix A order)', async () => {
    const created = await stack.factories.schedule(tpl, { name: '', cronFormat: '0 3 * * *', active: true });
    const res = await p.guest.get<Json[]>(P);
    expect(res.status).toBe(200);
    const item = res.body.find((s) => s.id === created.id) as Json;
    expect(Object.keys(item)).toEqual([...SCHEDULE_KEYS, 'tpl_name']);
    expect(item).toEqual({
      id: created.id,
      project_id: p.project.id,
      template_id: tpl.id,
      cron_format: '0 3 * * *',
      name: '',
      active: true,
      repository_id: null,
      tpl_name: 'Ping Site',
    });
    expect(res.body.some((s) => s.id === other.schedule.id)).toBe(false);
    expect(res.text).not.toContain('last_commit_hash');
  });

  it('GET P/templates/{id}/schedules lists that template’s schedules (Schedule[])', async () => {
    const own = await stack.factories.template(p.project.id);
    const s1 = await stack.factories.schedule(own);
    await stack.factories.schedule(tpl);
    const res = await p.guest.get<Json[]>(`/api/project/${p.project.id}/templates/${own.id}/schedules`);
    expect(res.status).toBe(200);
    expect(res.body.map((s) => s.id)).toEqual([s1.id]);
    expect(Object.keys(res.body[0])).toEqual(SCHEDULE_KEYS);
    const foreign = await p.owner.get(`/api/project/${p.project.id}/templates/${other.template.id}/schedules`);
    expect([foreign.status, foreign.body]).toEqual([404, { error: 'Template not found' }]);
  });

  it('PUT replaces the schedule (204) and resets last_commit_hash; PUT /active toggles it', async () => {
    const s = await stack.factories.schedule(tpl, { lastCommitHash: 'abc123', repositoryId: repo.id, active: true });
    const res = await p.owner.put(`${P}/${s.id}`, body({ id: s.id, cron_format: '@daily', name: 'daily' }));
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await schedules().findOneByOrFail({ id: s.id })).toMatchObject({
      cronFormat: '@daily',
      name: 'daily',
      lastCommitHash: null,
      repositoryId: null,
      active: true,
    });
    const off = await p.manager.put(`${P}/${s.id}/active`, { active: false });
    expect([off.status, off.text]).toEqual([204, '']);
    expect((await schedules().findOneByOrFail({ id: s.id })).active).toBe(false);
    expect((await p.manager.put(`${P}/${s.id}/active`, { active: true })).status).toBe(204);
    expect((await schedules().findOneByOrFail({ id: s.id })).active).toBe(true);
    for (const bad of [{}, { active: 'no' }, { active: 1 }]) {
      const r = await p.manager.put<{ error: string }>(`${P}/${s.id}/active`, bad);
      expect([r.status, r.body]).toEqual([400, { error: expect.stringMatching(/^active /) }]);
    }
  });

  it('DELETE removes the schedule (204)', async () => {
    const s = await stack.factories.schedule(tpl);
    const res = await p.owner.delete(`${P}/${s.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await schedules().existsBy({ id: s.id })).toBe(false);
    expect((await p.owner.get(`${P}/${s.id}`)).body).toEqual({ error: 'Schedule not found' });
  });

  it('POST validate: 200 with an empty body when valid, 400 {"error": "Cron: ..."} otherwise', async () => {
    for (const cron of [
      '*/5 * * * *',
      '@hourly',
      '@every 1h30m',
      'CRON_TZ=Europe/Berlin 0 6 * * 1-5',
      'TZ=UTC 0 0 1 jan *',
    ]) {
      const res = await p.manager.post(`${P}/validate`, { cron_format: cron });
      expect([cron, res.status, res.text]).toEqual([cron, 200, '']);
    }
    for (const cron of [
      '',
      'garbage',
      '0 */5 * * * *',
      '61 * * * *',
      'CRON_TZ=Mars/Base 0 6 * * *',
      '@reboot',
      '* * * * * ; rm -rf /',
    ]) {
      const res = await p.manager.post<{ error: string }>(`${P}/validate`, { cron_format: cron });
      expect([cron, res.status, res.body]).toEqual([cron, 400, { error: expect.stringMatching(/^Cron: /) }]);
    }
    const missing = await p.manager.post<{ error: string }>(`${P}/validate`, {});
    expect(missing.body).toEqual({ error: 'Cron: empty spec string' });
    const wrongType = await p.manager.post<{ error: string }>(`${P}/validate`, { cron_format: 5 });
    expect([wrongType.status, wrongType.body.error]).toEqual([400, expect.stringMatching(/^cron_format /)]);
  });

  it('refuses a bad cron, foreign or unknown template/repository ids, and body ids that differ from the URL', async () => {
    const before = await schedules().count();
    const cases: Array<[Json, RegExp]> = [
      [{ cron_format: 'every day' }, /^Cron: expected exactly 5 fields/],
      [{ cron_format: '0 0 * * * *' }, /^Cron: .*seconds/],
      [{ cron_format: '' }, /^Cron: empty spec string/],
      [{ cron_format: undefined }, /^cron_format /],
      [{ template_id: other.template.id }, /^template_id does not refer to a template of this project/],
      [{ template_id: 2_000_000 }, /^template_id does not refer/],
      [{ template_id: undefined }, /^template_id /],
      [{ template_id: 'x' }, /^template_id /],
      [{ repository_id: other.repo.id }, /^repository_id does not refer to a repository of this project/],
      [{ project_id: other.template.projectId }, /^project_id /],
      [{ name: 'x'.repeat(256) }, /^name /],
      [{ active: 'yes' }, /^active /],
    ];
    for (const [overrides, message] of cases) {
      const res = await p.owner.post<{ error: string }>(P, body(overrides));
      expect([overrides, res.status, res.body]).toEqual([overrides, 400, { error: expect.stringMatching(message) }]);
    }
    expect(await schedules().count()).toBe(before);
    const s = await stack.factories.schedule(tpl, { cronFormat: '0 4 * * *' });
    for (const [overrides, message] of [...cases, [{ id: s.id + 1 }, /^id /] as [Json, RegExp]]) {
      const res = await p.owner.put<{ error: string }>(`${P}/${s.id}`, body(overrides));
      expect([overrides, res.status, res.body]).toEqual([overrides, 400, { error: expect.stringMatching(message) }]);
    }
    expect(await schedules().findOneByOrFail({ id: s.id })).toMatchObject({
      cronFormat: '0 4 * * *',
      templateId: tpl.id,
    });
  });

  it("another project's schedule through this project's URL is 404 on every route", async () => {
    const id = other.schedule.id;
    for (const [method, path, payload] of [
      ['get', `${P}/${id}`, undefined],
      ['put', `${P}/${id}`, body()],
      ['put', `${P}/${id}/active`, { active: false }],
      ['delete', `${P}/${id}`, undefined],
      ['get', `${P}/2000000`, undefined],
    ] as const) {
      const res = method === 'put' ? await p.owner.put(path, payload) : await p.owner[method](path);
      expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'Schedule not found' }]);
    }
    expect((await p.owner.get(`${P}/abc`)).status).toBe(400);
    expect(await schedules().findOneByOrFail({ id })).toMatchObject({ cronFormat: '0 1 * * *', active: true });
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

    it('role matrix for POST, validate, PUT, PUT active and DELETE; nothing changes on refusal', async () => {
      for (const [role, expected] of Object.entries(WRITE)) {
        const s = await stack.factories.schedule(tpl, { name: 'fixed', cronFormat: '0 5 * * *', active: true });
        const doomed = await stack.factories.schedule(tpl);
        const post = await actor(role).post(P, body({ name: `by ${role}` }));
        const validate = await actor(role).post(`${P}/validate`, { cron_format: '@daily' });
        const put = await actor(role).put(`${P}/${s.id}`, body({ name: `renamed by ${role}` }));
        const active = await actor(role).put(`${P}/${s.id}/active`, { active: false });
        const del = await actor(role).delete(`${P}/${doomed.id}`);
        const codes = expected === 'ok' ? [201, 200, 204, 204, 204] : Array(5).fill(expected);
        expect([role, post.status, validate.status, put.status, active.status, del.status]).toEqual([role, ...codes]);
        const after = await schedules().findOneByOrFail({ id: s.id });
        if (expected === 'ok') expect(after).toMatchObject({ name: `renamed by ${role}`, active: false });
        else expect(after).toMatchObject({ name: 'fixed', active: true, cronFormat: '0 5 * * *' });
        expect([role, await schedules().existsBy({ id: doomed.id })]).toEqual([role, expected !== 'ok']);
        expect([role, await schedules().existsBy({ name: `by ${role}` })]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to members, 404 for non-members, 401 without credentials', async () => {
      const s = await stack.factories.schedule(tpl);
      for (const path of [P, `${P}/${s.id}`, `/api/project/${p.project.id}/templates/${tpl.id}/schedules`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      expect((await stack.client().post(P, body({ name: 'anonymous' }))).status).toBe(401);
      expect(await schedules().existsBy({ name: 'anonymous' })).toBe(false);
    });
  });
});
