import { AccessKeyEntity, EventEntity, type ProjectEntity, RepositoryEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';

type Json = Record<string, unknown>;

/** Appendix A, `GET /api/project/1/repositories/1`. */
const REPO_KEYS = ['id', 'name', 'project_id', 'git_url', 'git_branch', 'ssh_key_id'];
const EMPTY_REFS = { templates: [], inventories: [], repositories: [], schedules: [] };

describe('repositories', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let key: AccessKeyEntity;
  let other: ProjectEntity;
  let otherKey: AccessKeyEntity;
  let otherRepo: RepositoryEntity;

  const repos = () => stack.db.dataSource.getRepository(RepositoryEntity);
  const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];
  const body = (fields: Json = {}): Json => ({
    name: 'Demo',
    git_url: 'https://github.com/semaphoreui/demo-project.git',
    git_branch: 'main',
    ssh_key_id: key.id,
    ...fields,
  });

  beforeAll(async () => {
    stack = await startApiStack();
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/repositories`;
    key = await stack.factories.accessKey(p.project.id, { name: 'None' });
    other = await stack.factories.project();
    otherKey = await stack.factories.sshKey(other.id);
    otherRepo = await stack.factories.repository(other.id, { name: 'Foreign', sshKeyId: otherKey.id });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates a repository: 204 without a body; GET returns it in upstream key order', async () => {
    const res = await p.manager.post(P, body({ name: 'Demo', project_id: p.project.id, id: 12345 }));
    expect([res.status, res.text]).toEqual([204, '']);
    const row = await repos().findOneByOrFail({ projectId: p.project.id, name: 'Demo' });
    expect(row.id).not.toBe(12345);
    const single = await p.guest.get<Json>(`${P}/${row.id}`);
    expect(single.status).toBe(200);
    expect(Object.keys(single.body)).toEqual(REPO_KEYS);
    expect(single.body).toEqual({
      id: row.id,
      name: 'Demo',
      project_id: p.project.id,
      git_url: 'https://github.com/semaphoreui/demo-project.git',
      git_branch: 'main',
      ssh_key_id: key.id,
    });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: row.id, objectType: 'repository' });
    expect(event).toMatchObject({ projectId: p.project.id, description: 'Repository Demo created' });
  });

  it('accepts every allowed URL form; a local repository needs no branch', async () => {
    for (const [url, branch] of [
      ['git@github.com:semaphoreui/demo-project.git', 'develop'],
      ['ssh://git@git.example.test:2222/team/app.git', 'release/2.10'],
      ['git://git.example.test/team/app.git', 'v1.0.0'],
      ['http://git.example.test/team/app', 'main'],
      ['/srv/repos/local-app', ''],
      ['file:///srv/repos/local-app', ''],
    ]) {
      const res = await p.owner.post(P, body({ name: `form ${url}`, git_url: url, git_branch: branch }));
      expect([url, res.status, res.text]).toEqual([url, 204, '']);
    }
    expect(await repos().findOneByOrFail({ name: 'form /srv/repos/local-app' })).toMatchObject({ gitBranch: '' });
  });

  it('lists the repositories by name (asc/desc); unknown sort columns fall back to name', async () => {
    const project = await stack.factories.project();
    const b = await stack.factories.repository(project.id, { name: 'b' });
    const a = await stack.factories.repository(project.id, { name: 'a', gitUrl: 'git@host.test:z.git' });
    const res = await p.admin.get<Json[]>(`/api/project/${project.id}/repositories`);
    expect(res.status).toBe(200);
    expect(res.body.map((r) => r.id)).toEqual([a.id, b.id]);
    expect(Object.keys(res.body[0])).toEqual(REPO_KEYS);
    expect(res.body[0]).toEqual({
      id: a.id,
      name: 'a',
      project_id: project.id,
      git_url: 'git@host.test:z.git',
      git_branch: 'main',
      ssh_key_id: a.sshKeyId,
    });
    const ids = async (q: string) =>
      (await p.admin.get<Json[]>(`/api/project/${project.id}/repositories${q}`)).body.map((r) => r.id);
    expect(await ids('?order=desc')).toEqual([b.id, a.id]);
    expect(await ids('?sort=git_url&order=asc')).toEqual([a.id, b.id]);
    expect(await ids('?sort=name%3B--')).toEqual([a.id, b.id]);
  });

  it('refuses hostile and malformed input naming the field, creating nothing', async () => {
    const before = await repos().countBy({ projectId: p.project.id });
    for (const [payload, field] of [
      [body({ git_url: '--upload-pack=touch /tmp/x' }), /^git_url must not start with "-"/],
      [body({ git_url: '-oProxyCommand=touch%20/tmp/x' }), /^git_url must not start with "-"/],
      [body({ git_url: 'ext::sh -c touch% /tmp/pwned' }), /^git_url /],
      [body({ git_url: 'ext::sh' }), /^git_url must be an https/],
      [
        body({ git_url: 'https://user:pass@github.com/org/repo.git' }),
        /^git_url must not contain credentials.*login_password/,
      ],
      [body({ git_url: 'https://ghp_token@github.com/org/repo.git' }), /^git_url must not contain credentials/],
      [body({ git_url: 'ftp://host/repo.git' }), /^git_url uses the scheme ftp/],
      [body({ git_url: 'ssh://-oProxyCommand=x/repo' }), /^git_url /],
      [body({ git_url: 'https://host/repo\n.git' }), /^git_url must not contain spaces or control/],
      [body({ git_url: '' }), /^git_url is required/],
      [body({ git_url: undefined }), /^git_url /],
      [body({ git_url: 5 }), /^git_url /],
      [body({ git_branch: '-x' }), /^git_branch must not start with "-"/],
      [body({ git_branch: '--upload-pack=touch /tmp/x' }), /^git_branch must not start with "-"/],
      [body({ git_branch: 'a..b' }), /^git_branch must not contain "\.\."/],
      [body({ git_branch: 'has space' }), /^git_branch must not contain spaces/],
      [body({ git_branch: 'a~1' }), /^git_branch must not contain any of/],
      [body({ git_branch: 'x'.repeat(300) }), /^git_branch must be at most/],
      [body({ git_branch: '' }), /^git_branch is required/],
      [body({ git_branch: undefined }), /^git_branch is required/],
      [body({ git_branch: 1 }), /^git_branch /],
      [body({ name: '' }), /^name is required/],
      [body({ name: 'x'.repeat(256) }), /^name /],
      [body({ ssh_key_id: undefined }), /^ssh_key_id is required/],
      [body({ ssh_key_id: 'x' }), /^ssh_key_id is required/],
      [body({ ssh_key_id: otherKey.id }), /^ssh_key_id must be the id of an access key of this project/],
      [body({ ssh_key_id: 2_000_000 }), /^ssh_key_id must be the id of an access key of this project/],
      [body({ ssh_key_id: 2 ** 40 }), /^ssh_key_id /],
      [body({ project_id: other.id }), /^project_id in the body must be the project of the URL/],
    ] as Array<[Json, RegExp]>) {
      const res = await p.owner.post<{ error: string }>(P, payload);
      expect([JSON.stringify(payload).slice(0, 120), res.status, res.body]).toEqual([
        JSON.stringify(payload).slice(0, 120),
        400,
        { error: expect.stringMatching(field) },
      ]);
    }
    expect(await repos().countBy({ projectId: p.project.id })).toBe(before);
    expect(await repos().countBy({ projectId: other.id })).toBe(1);
  });

  it('PUT replaces the repository (204); body ids must match the URL; references stay in the project', async () => {
    const repo = await stack.factories.repository(p.project.id, { name: 'Old', sshKeyId: key.id });
    const ssh = await stack.factories.sshKey(p.project.id);
    const res = await p.owner.put(`${P}/${repo.id}`, {
      id: repo.id,
      project_id: p.project.id,
      name: 'New',
      git_url: 'git@github.com:org/new.git',
      git_branch: 'develop',
      ssh_key_id: ssh.id,
    });
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await repos().findOneByOrFail({ id: repo.id })).toMatchObject({
      name: 'New',
      gitUrl: 'git@github.com:org/new.git',
      gitBranch: 'develop',
      sshKeyId: ssh.id,
      projectId: p.project.id,
    });
    for (const [payload, field] of [
      [body({ id: repo.id + 1 }), /^id in the body/],
      [body({ id: otherRepo.id, project_id: other.id }), /^project_id in the body/],
      [body({ ssh_key_id: otherKey.id }), /^ssh_key_id must be the id of an access key of this project/],
      [body({ git_url: '--upload-pack=touch /tmp/x' }), /^git_url /],
      [body({ git_branch: '-x' }), /^git_branch /],
    ] as Array<[Json, RegExp]>) {
      const bad = await p.owner.put<{ error: string }>(`${P}/${repo.id}`, payload);
      expect([bad.status, bad.body]).toEqual([400, { error: expect.stringMatching(field) }]);
    }
    expect(await repos().findOneByOrFail({ id: repo.id })).toMatchObject({ name: 'New', sshKeyId: ssh.id });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: repo.id, objectType: 'repository' });
    expect(event.description).toBe('Repository New updated');
  });

  it('refs lists templates, inventories and schedules using it; DELETE is refused while in use', async () => {
    const f = stack.factories;
    const repo = await f.repository(p.project.id, { name: 'Shared' });
    const refs = await p.guest.get<Json>(`${P}/${repo.id}/refs`);
    expect([refs.status, refs.body]).toEqual([200, EMPTY_REFS]);
    expect(Object.keys(refs.body)).toEqual(['templates', 'inventories', 'repositories', 'schedules']);

    const tpl = await f.template(p.project.id, { name: 'Uses repo', repositoryId: repo.id });
    const inv = await f.inventory(p.project.id, { name: 'Inv in repo', repositoryId: repo.id });
    const other = await f.template(p.project.id, { name: 'Other' });
    const schedule = await f.schedule(other, { name: 'On commit', repositoryId: repo.id });
    expect((await p.guest.get<Json>(`${P}/${repo.id}/refs`)).body).toEqual({
      templates: [{ id: tpl.id, name: 'Uses repo' }],
      inventories: [{ id: inv.id, name: 'Inv in repo' }],
      repositories: [],
      schedules: [{ id: schedule.id, name: 'On commit' }],
    });
    const del = await p.owner.delete(`${P}/${repo.id}`);
    expect([del.status, del.body]).toEqual([
      400,
      { error: 'Repository is in use by one or more templates', inUse: true },
    ]);
    expect(await repos().existsBy({ id: repo.id })).toBe(true);
  });

  it('DELETE removes an unused repository (204) and logs it', async () => {
    const repo = await stack.factories.repository(p.project.id, { name: 'Doomed' });
    const res = await p.manager.delete(`${P}/${repo.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await repos().existsBy({ id: repo.id })).toBe(false);
    expect((await p.guest.get(`${P}/${repo.id}`)).body).toEqual({ error: 'Repository not found' });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: repo.id, objectType: 'repository' });
    expect(event.description).toBe('Repository Doomed deleted');
  });

  it("another project's repository through this project's URL is 404 on every route", async () => {
    for (const id of [otherRepo.id, 2_000_000]) {
      for (const [method, path] of [
        ['get', `${P}/${id}`],
        ['get', `${P}/${id}/refs`],
        ['put', `${P}/${id}`],
        ['delete', `${P}/${id}`],
      ] as const) {
        const res = method === 'put' ? await p.owner.put(path, body({ name: 'hijack' })) : await p.owner[method](path);
        expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'Repository not found' }]);
      }
    }
    expect((await p.owner.get(`${P}/0`)).status).toBe(400);
    expect(await repos().findOneByOrFail({ id: otherRepo.id })).toMatchObject({ name: 'Foreign' });
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
        const repo = await stack.factories.repository(p.project.id, { name: 'Fixed', sshKeyId: key.id });
        const doomed = await stack.factories.repository(p.project.id, { sshKeyId: key.id });
        const post = await actor(role).post(P, body({ name: `by ${role}` }));
        const put = await actor(role).put(`${P}/${repo.id}`, body({ name: `renamed by ${role}` }));
        const del = await actor(role).delete(`${P}/${doomed.id}`);
        const codes = expected === 'ok' ? [204, 204, 204] : [expected, expected, expected];
        expect([role, post.status, put.status, del.status]).toEqual([role, ...codes]);
        const name = (await repos().findOneByOrFail({ id: repo.id })).name;
        expect([role, name]).toEqual([role, expected === 'ok' ? `renamed by ${role}` : 'Fixed']);
        expect([role, await repos().existsBy({ id: doomed.id })]).toEqual([role, expected !== 'ok']);
        expect([role, await repos().existsBy({ name: `by ${role}` })]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to members, 404 for non-members, 401 without credentials (no side effect)', async () => {
      const repo = await stack.factories.repository(p.project.id);
      for (const path of [P, `${P}/${repo.id}`, `${P}/${repo.id}/refs`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      expect((await stack.client().post(P, body({ name: 'anonymous' }))).status).toBe(401);
      expect((await stack.client().delete(`${P}/${repo.id}`)).status).toBe(401);
      expect(await repos().existsBy({ name: 'anonymous' })).toBe(false);
      expect(await repos().existsBy({ id: repo.id })).toBe(true);
    });
  });
});
