import { AccessKeyType, ProjectRole } from '@semaphore/models';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  EventEntity,
  ProjectEntity,
  ProjectMemberEntity,
  TaskEntity,
  TemplateEntity,
  type UserEntity,
} from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack } from '@semaphore/testing';

type Actor = ProjectRole | 'nonMember' | 'admin';
const ACTORS: Actor[] = [...Object.values(ProjectRole), 'nonMember', 'admin'];
interface Person {
  user: UserEntity;
  client: ApiClient;
}

const PROJECT_KEYS = ['id', 'name', 'created', 'alert', 'alert_chat', 'max_parallel_tasks', 'type'];
const USER_KEYS = ['id', 'created', 'username', 'name', 'email', 'admin', 'external', 'alert'];
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

interface WireProject {
  id: number;
  name: string;
  created: string;
  alert: boolean;
  alert_chat: string | null;
  max_parallel_tasks: number;
  type: string;
}
interface WireProjectUser {
  id: number;
  username: string;
  name: string;
  role: string;
}

describe('projects, membership and roles', () => {
  let stack: ApiStack;
  let people: Record<Actor, Person>;

  const db = () => stack.db.dataSource;
  const P = (project: { id: number }) => `/api/project/${project.id}`;
  const findProject = (id: number) => db().getRepository(ProjectEntity).findOneBy({ id });
  const memberRole = async (projectId: number, userId: number) =>
    (await db().getRepository(ProjectMemberEntity).findOneBy({ projectId, userId }))?.role ?? null;

  /** A new project where each of owner/manager/task_runner/guest has that role. */
  async function freshProject(overrides: Partial<ProjectEntity> = {}): Promise<ProjectEntity> {
    const project = await stack.factories.project(overrides);
    for (const role of Object.values(ProjectRole)) {
      await stack.factories.projectMember(project.id, people[role].user.id, { role });
    }
    return project;
  }

  beforeAll(async () => {
    stack = await startApiStack();
    const entries = await Promise.all(
      ACTORS.map(async (actor) => [actor, await stack.withToken({ admin: actor === 'admin' })] as const),
    );
    people = Object.fromEntries(entries) as Record<Actor, Person>;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('GET /api/projects', () => {
    it('lists the caller’s own projects ordered by name, with the Appendix A key order', async () => {
      const b = await freshProject({ name: 'b-project', alertChat: 'ops-chat', maxParallelTasks: 2 });
      const a = await freshProject({ name: 'a-project' });
      const foreign = await stack.factories.project({ name: 'aa-foreign' });
      const res = await people.guest.client.get<WireProject[]>('/api/projects');
      expect(res.status).toBe(200);
      const names = res.body.map((x) => x.name);
      expect(names).toEqual(expect.arrayContaining(['a-project', 'b-project']));
      expect(res.body.map((x) => x.id)).not.toContain(foreign.id);
      const item = res.body.find((x) => x.id === b.id);
      expect(Object.keys(item ?? {})).toEqual(PROJECT_KEYS);
      expect(item).toEqual({
        id: b.id,
        name: 'b-project',
        created: expect.stringMatching(RFC3339_UTC),
        alert: false,
        alert_chat: 'ops-chat',
        max_parallel_tasks: 2,
        type: '',
      });
      expect(res.body.findIndex((x) => x.id === a.id)).toBeLessThan(res.body.findIndex((x) => x.id === b.id));
    });

    it('lists every project for an admin and nothing for a user without projects', async () => {
      const foreign = await stack.factories.project({ name: 'only-admins-see-me' });
      const admin = await people.admin.client.get<WireProject[]>('/api/projects');
      expect(admin.body.map((x) => x.id)).toContain(foreign.id);
      const lonely = await stack.withToken();
      expect((await lonely.client.get('/api/projects')).body).toEqual([]);
    });

    it('needs authentication', async () => {
      expect((await stack.client().get('/api/projects')).status).toBe(401);
      expect((await stack.client().post('/api/projects', { name: 'x' })).status).toBe(401);
    });
  });

  describe('POST /api/projects', () => {
    it('creates the project, the owner membership, the None key and the Empty environment: 201 Project', async () => {
      const { user, client } = people.admin;
      const res = await client.post<WireProject>('/api/projects', {
        name: 'Created',
        alert: true,
        alert_chat: 'chat-42',
        max_parallel_tasks: 3,
        demo: true,
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(PROJECT_KEYS);
      // Upstream's SQL backends drop alert/alert_chat/max_parallel_tasks on create; we keep them.
      expect(res.body).toEqual({
        id: expect.any(Number),
        name: 'Created',
        created: expect.stringMatching(RFC3339_UTC),
        alert: true,
        alert_chat: 'chat-42',
        max_parallel_tasks: 3,
        type: '',
      });
      const id = res.body.id;
      expect(await memberRole(id, user.id)).toBe(ProjectRole.Owner);
      const keys = await db().getRepository(AccessKeyEntity).findBy({ projectId: id });
      expect(keys.map((k) => ({ name: k.name, type: k.type, secret: k.secret }))).toEqual([
        { name: 'None', type: AccessKeyType.None, secret: null },
      ]);
      const envs = await db().getRepository(EnvironmentEntity).findBy({ projectId: id });
      expect(envs.map((e) => ({ name: e.name, json: e.json, env: e.env, password: e.password }))).toEqual([
        { name: 'Empty', json: '{}', env: null, password: null },
      ]);
      const role = await client.get(`/api/project/${id}/role`);
      expect(role.body).toEqual({ role: 'owner', permissions: 15 });
      const fetched = await client.get<WireProject>(`/api/project/${id}`);
      expect(fetched.body).toEqual(res.body);
    });

    it('defaults the optional fields', async () => {
      const res = await people.admin.client.post<WireProject>('/api/projects', { name: 'Defaults' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ alert: false, alert_chat: null, max_parallel_tasks: 0, type: '' });
    });

    it('refuses non-admins with 403 (upstream: 401) and creates nothing', async () => {
      const before = await db().getRepository(ProjectEntity).count();
      for (const actor of ['owner', 'guest', 'nonMember'] as const) {
        const res = await people[actor].client.post('/api/projects', { name: `by-${actor}` });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ error: expect.any(String) });
      }
      expect(await db().getRepository(ProjectEntity).count()).toBe(before);
    });

    it.each([
      [{}, /^name /],
      [{ name: '' }, /^name /],
      [{ name: '   ' }, /^name /],
      [{ name: 7 }, /^name /],
      [{ name: 'x'.repeat(256) }, /^name /],
      [{ name: 'ok', alert: 'yes' }, /^alert /],
      [{ name: 'ok', alert_chat: 5 }, /^alert_chat /],
      [{ name: 'ok', alert_chat: 'c'.repeat(256) }, /^alert_chat /],
      [{ name: 'ok', max_parallel_tasks: -1 }, /^max_parallel_tasks /],
      [{ name: 'ok', max_parallel_tasks: 1.5 }, /^max_parallel_tasks /],
      [{ name: 'ok', max_parallel_tasks: 1e12 }, /^max_parallel_tasks /],
      [{ name: 'ok', type: 'Not A Type!' }, /^type /],
      [{ name: 'ok', demo: 'yes' }, /^demo /],
    ])('validates %j naming the field', async (body, message) => {
      const before = await db().getRepository(ProjectEntity).count();
      const res = await people.admin.client.post<{ error: string }>('/api/projects', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(await db().getRepository(ProjectEntity).count()).toBe(before);
    });

    it('answers malformed JSON with 400', async () => {
      const res = await people.admin.client.post('/api/projects', '{"name": ');
      expect(res.status).toBe(400);
    });
  });

  describe('GET /api/project/{id} and /role', () => {
    it('returns the project to every member and to admins', async () => {
      const project = await freshProject({ name: 'Readable' });
      for (const actor of ['owner', 'manager', 'task_runner', 'guest', 'admin'] as const) {
        const res = await people[actor].client.get<WireProject>(P(project));
        expect(res.status).toBe(200);
        expect(Object.keys(res.body)).toEqual(PROJECT_KEYS);
        expect(res.body).toMatchObject({ id: project.id, name: 'Readable' });
      }
    });

    it('gives each role its permission bits; an admin who is not a member gets an empty role', async () => {
      const project = await freshProject();
      const expected: Record<Exclude<Actor, 'nonMember'>, { role: string; permissions: number }> = {
        owner: { role: 'owner', permissions: 15 },
        manager: { role: 'manager', permissions: 5 },
        task_runner: { role: 'task_runner', permissions: 1 },
        guest: { role: 'guest', permissions: 0 },
        admin: { role: '', permissions: 0 },
      };
      for (const [actor, body] of Object.entries(expected)) {
        const res = await people[actor as Actor].client.get(`${P(project)}/role`);
        expect(res.status).toBe(200);
        expect(Object.keys(res.body as object)).toEqual(['role', 'permissions']);
        expect(res.body).toEqual(body);
      }
    });

    it('gives 404 for unknown projects and 400 for malformed ids', async () => {
      const unknown = await people.admin.client.get('/api/project/999999');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'Project not found' });
      expect((await people.admin.client.get('/api/project/abc')).status).toBe(400);
    });
  });

  describe('a non-member', () => {
    it('gets 404 on every project route, and nothing changes', async () => {
      const project = await freshProject({ name: 'Hidden' });
      const target = people.guest.user.id;
      const routes: Array<[string, string, unknown?]> = [
        ['GET', P(project)],
        ['HEAD', P(project)],
        ['PUT', P(project), { id: project.id, name: 'Pwned' }],
        ['DELETE', P(project)],
        ['DELETE', `${P(project)}/me`],
        ['GET', `${P(project)}/role`],
        ['GET', `${P(project)}/users`],
        ['POST', `${P(project)}/users`, { user_id: people.nonMember.user.id, role: 'owner' }],
        ['GET', `${P(project)}/users/${target}`],
        ['PUT', `${P(project)}/users/${target}`, { role: 'owner' }],
        ['DELETE', `${P(project)}/users/${target}`],
        ['GET', `${P(project)}/events`],
        ['GET', `${P(project)}/events/last`],
      ];
      for (const [method, path, body] of routes) {
        const res = await people.nonMember.client.request(method, path, { body });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      }
      expect((await findProject(project.id))?.name).toBe('Hidden');
      expect(await memberRole(project.id, target)).toBe(ProjectRole.Guest);
      expect(await memberRole(project.id, people.nonMember.user.id)).toBeNull();
    });
  });

  describe('PUT /api/project/{id}', () => {
    it('updates name, alert, alert_chat and max_parallel_tasks: 204', async () => {
      const project = await freshProject({ name: 'Before', type: '' });
      const res = await people.owner.client.put(P(project), {
        id: project.id,
        name: 'After',
        alert: true,
        alert_chat: 'room',
        max_parallel_tasks: 4,
        type: 'ignored-on-update',
        created: '2000-01-01T00:00:00Z',
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const row = await findProject(project.id);
      expect(row).toMatchObject({ name: 'After', alert: true, alertChat: 'room', maxParallelTasks: 4, type: '' });
      expect(row?.created.toISOString()).toBe(project.created.toISOString());
      const cleared = await people.owner.client.put(P(project), { id: project.id, alert_chat: null });
      expect(cleared.status).toBe(204);
      expect(await findProject(project.id)).toMatchObject({ name: 'After', alertChat: null, maxParallelTasks: 4 });
    });

    it('refuses a body id that differs from the URL (400) and changes nothing', async () => {
      const project = await freshProject({ name: 'Stable' });
      const other = await freshProject({ name: 'Other' });
      for (const body of [{ id: other.id, name: 'Moved' }, { name: 'No id' }, { id: String(project.id), name: 'x' }]) {
        const res = await people.owner.client.put<{ error: string }>(P(project), body);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(/^id /);
      }
      expect((await findProject(project.id))?.name).toBe('Stable');
      expect((await findProject(other.id))?.name).toBe('Other');
    });

    it.each([
      [{ max_parallel_tasks: -1 }, /^max_parallel_tasks /],
      [{ name: '' }, /^name /],
      [{ alert: 1 }, /^alert /],
    ])('validates %j', async (body, message) => {
      const project = await freshProject();
      const res = await people.owner.client.put<{ error: string }>(P(project), { id: project.id, ...body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
    });
  });

  describe('role matrix on project writes', () => {
    const expectations: Array<[string, Record<Actor, number>]> = [
      ['PUT P', { owner: 204, manager: 403, task_runner: 403, guest: 403, nonMember: 404, admin: 204 }],
      ['DELETE P', { owner: 204, manager: 403, task_runner: 403, guest: 403, nonMember: 404, admin: 204 }],
      ['DELETE P/me', { owner: 400, manager: 204, task_runner: 204, guest: 204, nonMember: 404, admin: 404 }],
      ['POST P/users', { owner: 204, manager: 403, task_runner: 403, guest: 403, nonMember: 404, admin: 204 }],
      ['PUT P/users/{id}', { owner: 204, manager: 403, task_runner: 403, guest: 403, nonMember: 404, admin: 204 }],
      ['DELETE P/users/{id}', { owner: 204, manager: 403, task_runner: 403, guest: 403, nonMember: 404, admin: 204 }],
    ];

    /** Sends the request and returns the status plus whether the intended change happened. */
    async function attempt(route: string, actor: Actor): Promise<{ status: number; changed: boolean }> {
      const project = await freshProject({ name: 'Matrix' });
      const extra = await stack.user();
      await stack.factories.projectMember(project.id, extra.id, { role: ProjectRole.Guest });
      const newcomer = await stack.user();
      const client = people[actor].client;
      const me = people[actor].user.id;
      switch (route) {
        case 'PUT P': {
          const res = await client.put(P(project), { id: project.id, name: 'Renamed' });
          return { status: res.status, changed: (await findProject(project.id))?.name === 'Renamed' };
        }
        case 'DELETE P': {
          const res = await client.delete(P(project));
          return { status: res.status, changed: (await findProject(project.id)) === null };
        }
        case 'DELETE P/me': {
          const before = await memberRole(project.id, me);
          const res = await client.delete(`${P(project)}/me`);
          return { status: res.status, changed: before !== null && (await memberRole(project.id, me)) === null };
        }
        case 'POST P/users': {
          const res = await client.post(`${P(project)}/users`, { user_id: newcomer.id, role: 'manager' });
          return { status: res.status, changed: (await memberRole(project.id, newcomer.id)) === 'manager' };
        }
        case 'PUT P/users/{id}': {
          const res = await client.put(`${P(project)}/users/${extra.id}`, { role: 'task_runner' });
          return { status: res.status, changed: (await memberRole(project.id, extra.id)) === 'task_runner' };
        }
        default: {
          const res = await client.delete(`${P(project)}/users/${extra.id}`);
          return { status: res.status, changed: (await memberRole(project.id, extra.id)) === null };
        }
      }
    }

    it.each(expectations)('%s', async (route, codes) => {
      for (const actor of ACTORS) {
        const { status, changed } = await attempt(route, actor);
        expect({ actor, status }).toEqual({ actor, status: codes[actor] });
        expect({ actor, changed }).toEqual({ actor, changed: codes[actor] === 204 });
      }
    });
  });

  describe('DELETE /api/project/{id}', () => {
    it('deletes the project with everything in it', async () => {
      const project = await freshProject();
      const template = await stack.factories.template(project.id);
      await stack.factories.templateVault(template);
      await stack.factories.schedule(template);
      const task = await stack.factories.task(template);
      await stack.factories.taskOutput(task.id, 1);
      await stack.factories.view(project.id);
      await stack.factories.event(project.id);
      const res = await people.owner.client.delete(P(project));
      expect(res.status).toBe(204);
      expect(await findProject(project.id)).toBeNull();
      expect(await db().getRepository(TemplateEntity).countBy({ projectId: project.id })).toBe(0);
      expect(await db().getRepository(TaskEntity).countBy({ projectId: project.id })).toBe(0);
      expect(await db().getRepository(AccessKeyEntity).countBy({ projectId: project.id })).toBe(0);
      expect(await db().getRepository(ProjectMemberEntity).countBy({ projectId: project.id })).toBe(0);
      expect(await db().getRepository(EventEntity).countBy({ projectId: project.id })).toBe(0);
      expect((await people.owner.client.get(P(project))).status).toBe(404);
    });
  });

  describe('DELETE /api/project/{id}/me', () => {
    it('lets an admin owner leave while another owner remains, but not as the last owner', async () => {
      const project = await freshProject();
      await stack.factories.projectMember(project.id, people.admin.user.id, { role: ProjectRole.Owner });
      expect((await people.admin.client.delete(`${P(project)}/me`)).status).toBe(204);
      expect(await memberRole(project.id, people.admin.user.id)).toBeNull();

      const solo = await stack.factories.project();
      await stack.factories.projectMember(solo.id, people.admin.user.id, { role: ProjectRole.Owner });
      const res = await people.admin.client.delete<{ error: string }>(`${P(solo)}/me`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/owner/);
      expect(await memberRole(solo.id, people.admin.user.id)).toBe(ProjectRole.Owner);
    });

    it('refuses a non-admin owner with a 400 error body even when other owners remain', async () => {
      const project = await freshProject();
      await stack.factories.projectMember(project.id, (await stack.user()).id, { role: ProjectRole.Owner });
      const res = await people.owner.client.delete<{ error: string }>(`${P(project)}/me`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.stringMatching(/owner/) });
    });
  });

  describe('GET /api/project/{id}/users', () => {
    it('lists members with their roles, sorted by the whitelisted columns', async () => {
      const project = await stack.factories.project();
      const zed = await stack.user({ username: 'm-zed', name: 'Aaron Zed', email: 'c@example.test' });
      const amy = await stack.user({ username: 'm-amy', name: 'Zoe Amy', email: 'a@example.test' });
      const bob = await stack.user({ username: 'm-bob', name: 'Mia Bob', email: 'b@example.test' });
      await stack.factories.projectMember(project.id, zed.id, { role: ProjectRole.TaskRunner });
      await stack.factories.projectMember(project.id, amy.id, { role: ProjectRole.Owner });
      await stack.factories.projectMember(project.id, bob.id, { role: ProjectRole.Guest });
      await stack.factories.projectMember(project.id, people.guest.user.id, { role: ProjectRole.Manager });
      const client = people.guest.client;
      const list = async (query = '') =>
        (await client.get<WireProjectUser[]>(`${P(project)}/users${query}`)).body.filter(
          (u) => u.id !== people.guest.user.id,
        );

      const res = await client.get<WireProjectUser[]>(`${P(project)}/users`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body[0])).toEqual(['id', 'username', 'name', 'role']);
      expect(await list()).toEqual([
        { id: zed.id, username: 'm-zed', name: 'Aaron Zed', role: 'task_runner' },
        { id: bob.id, username: 'm-bob', name: 'Mia Bob', role: 'guest' },
        { id: amy.id, username: 'm-amy', name: 'Zoe Amy', role: 'owner' },
      ]);
      const ids = async (query: string) => (await list(query)).map((u) => u.id);
      expect(await ids('?sort=username&order=desc')).toEqual([zed.id, bob.id, amy.id]);
      expect(await ids('?sort=email')).toEqual([amy.id, bob.id, zed.id]);
      expect(await ids('?sort=role')).toEqual([bob.id, amy.id, zed.id]);
      expect(await ids('?sort=password&order=desc')).toEqual([amy.id, bob.id, zed.id]);
      expect(await ids('?sort=name;drop table project&order=sideways')).toEqual([zed.id, bob.id, amy.id]);
    });
  });

  describe('POST /api/project/{id}/users', () => {
    it('adds a member (204) and logs an event', async () => {
      const project = await freshProject();
      const user = await stack.user();
      const res = await people.owner.client.post(`${P(project)}/users`, { user_id: user.id, role: 'guest' });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await memberRole(project.id, user.id)).toBe('guest');
      const events = await db().getRepository(EventEntity).findBy({ projectId: project.id, objectType: 'user' });
      expect(events.map((e) => [e.userId, e.objectId, e.description])).toEqual([
        [people.owner.user.id, user.id, `User ID ${user.id} added to team`],
      ]);
    });

    it('refuses duplicates with 409, bad roles and unknown users with 400 naming the field', async () => {
      const project = await freshProject();
      const url = `${P(project)}/users`;
      const dup = await people.owner.client.post(url, { user_id: people.guest.user.id, role: 'owner' });
      expect(dup.status).toBe(409);
      expect(dup.body).toEqual({ error: expect.any(String) });
      expect(await memberRole(project.id, people.guest.user.id)).toBe('guest');

      const user = await stack.user();
      const cases: Array<[unknown, RegExp]> = [
        [{ user_id: user.id, role: 'admin' }, /^role /],
        [{ user_id: user.id }, /^role /],
        [{ user_id: String(user.id), role: 'guest' }, /^user_id /],
        [{ user_id: 0, role: 'guest' }, /^user_id /],
        [{ role: 'guest' }, /^user_id /],
        [{ user_id: 2_000_000_000, role: 'guest' }, /^user_id /],
      ];
      for (const [body, message] of cases) {
        const res = await people.owner.client.post<{ error: string }>(url, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error).toMatch(message);
      }
      expect(await memberRole(project.id, user.id)).toBeNull();
    });
  });

  describe('GET /api/project/{id}/users/{user_id}', () => {
    it('returns the full User of a member and 404 for anyone else', async () => {
      const project = await freshProject();
      const res = await people.task_runner.client.get<Record<string, unknown>>(
        `${P(project)}/users/${people.manager.user.id}`,
      );
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(USER_KEYS);
      expect(res.body).toMatchObject({ id: people.manager.user.id, username: people.manager.user.username });
      expect(JSON.stringify(res.body)).not.toMatch(/password|totp|\$2[aby]\$/);

      const outsider = await people.owner.client.get(`${P(project)}/users/${people.nonMember.user.id}`);
      expect(outsider.status).toBe(404);
      expect(outsider.body).toEqual({ error: 'User not found' });
      expect((await people.owner.client.get(`${P(project)}/users/999999`)).status).toBe(404);
      expect((await people.owner.client.get(`${P(project)}/users/x1`)).status).toBe(400);
    });
  });

  describe('PUT /api/project/{id}/users/{user_id}', () => {
    it('changes a role (204) and logs it', async () => {
      const project = await freshProject();
      const target = people.guest.user.id;
      const res = await people.owner.client.put(`${P(project)}/users/${target}`, { role: 'manager' });
      expect(res.status).toBe(204);
      expect(await memberRole(project.id, target)).toBe('manager');
      const event = await db().getRepository(EventEntity).findOneBy({ projectId: project.id, objectId: target });
      expect(event?.description).toBe(`Changed role for User ID ${target}`);
    });

    it('validates the role and needs a member', async () => {
      const project = await freshProject();
      const bad = await people.owner.client.put<{ error: string }>(`${P(project)}/users/${people.guest.user.id}`, {
        role: 'root',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^role /);
      const outsider = await people.owner.client.put(`${P(project)}/users/${people.nonMember.user.id}`, {
        role: 'guest',
      });
      expect(outsider.status).toBe(404);
      expect(await memberRole(project.id, people.nonMember.user.id)).toBeNull();
    });

    it('refuses an owner demoting themself, even with other owners', async () => {
      const project = await freshProject();
      await stack.factories.projectMember(project.id, (await stack.user()).id, { role: ProjectRole.Owner });
      const res = await people.owner.client.put(`${P(project)}/users/${people.owner.user.id}`, { role: 'guest' });
      expect(res.status).toBe(400);
      expect(await memberRole(project.id, people.owner.user.id)).toBe('owner');
    });

    it('refuses to demote the last owner, even for an admin; another owner can be demoted', async () => {
      const project = await freshProject();
      const url = `${P(project)}/users/${people.owner.user.id}`;
      const last = await people.admin.client.put<{ error: string }>(url, { role: 'manager' });
      expect(last.status).toBe(400);
      expect(last.body.error).toMatch(/owner/);
      expect(await memberRole(project.id, people.owner.user.id)).toBe('owner');

      const second = await stack.user();
      await stack.factories.projectMember(project.id, second.id, { role: ProjectRole.Owner });
      const demote = await people.owner.client.put(`${P(project)}/users/${second.id}`, { role: 'guest' });
      expect(demote.status).toBe(204);
      expect(await memberRole(project.id, second.id)).toBe('guest');
    });
  });

  describe('DELETE /api/project/{id}/users/{user_id}', () => {
    it('removes a member (204) and logs it', async () => {
      const project = await freshProject();
      const target = people.manager.user.id;
      expect((await people.owner.client.delete(`${P(project)}/users/${target}`)).status).toBe(204);
      expect(await memberRole(project.id, target)).toBeNull();
      const event = await db().getRepository(EventEntity).findOneBy({ projectId: project.id, objectId: target });
      expect(event?.description).toBe(`User ID ${target} removed from team`);
      expect((await people.manager.client.get(P(project))).status).toBe(404);
    });

    it('never removes the last owner; a second owner can be removed; unknown members are 404', async () => {
      const project = await freshProject();
      const last = await people.admin.client.delete(`${P(project)}/users/${people.owner.user.id}`);
      expect(last.status).toBe(400);
      expect(await memberRole(project.id, people.owner.user.id)).toBe('owner');
      const self = await people.owner.client.delete(`${P(project)}/users/${people.owner.user.id}`);
      expect(self.status).toBe(400);

      const second = await stack.user();
      await stack.factories.projectMember(project.id, second.id, { role: ProjectRole.Owner });
      expect((await people.owner.client.delete(`${P(project)}/users/${second.id}`)).status).toBe(204);
      expect((await people.owner.client.delete(`${P(project)}/users/${second.id}`)).status).toBe(404);
    });
  });
});

describe('projects with non_admin_can_create_project', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT: 'true' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('lets a non-admin create a project they own', async () => {
    const { user, client } = await stack.withToken();
    const res = await client.post<WireProject>('/api/projects', { name: 'Mine' });
    expect(res.status).toBe(201);
    const member = await stack.db.dataSource
      .getRepository(ProjectMemberEntity)
      .findOneBy({ projectId: res.body.id, userId: user.id });
    expect(member?.role).toBe(ProjectRole.Owner);
    expect((await client.get<WireProject[]>('/api/projects')).body.map((p) => p.name)).toEqual(['Mine']);
  });
});
