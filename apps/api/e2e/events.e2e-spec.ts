import { ProjectRole } from '@semaphore/models';
import { EventEntity, type ProjectEntity, type UserEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack } from '@semaphore/testing';

const EVENT_KEYS = [
  'user_id',
  'project_id',
  'integration_id',
  'object_id',
  'object_type',
  'description',
  'created',
  'object_name',
  'project_name',
  'username',
];
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

interface WireEvent {
  user_id: number | null;
  project_id: number | null;
  integration_id: number | null;
  object_id: number | null;
  object_type: string | null;
  description: string | null;
  created: string;
  object_name: string;
  project_name: string | null;
  username: string | null;
}

interface Person {
  user: UserEntity;
  client: ApiClient;
}

describe('events', () => {
  let stack: ApiStack;
  let owner: Person;
  let guest: Person;
  let outsider: Person;
  let admin: Person;

  const P = (project: { id: number }) => `/api/project/${project.id}`;
  const descriptions = (events: WireEvent[]) => events.map((e) => e.description);

  async function projectWithMembers(name?: string): Promise<ProjectEntity> {
    const project = await stack.factories.project(name ? { name } : {});
    await stack.factories.projectMember(project.id, owner.user.id, { role: ProjectRole.Owner });
    await stack.factories.projectMember(project.id, guest.user.id, { role: ProjectRole.Guest });
    return project;
  }

  beforeAll(async () => {
    stack = await startApiStack();
    [owner, guest, outsider, admin] = await Promise.all([
      stack.withToken(),
      stack.withToken(),
      stack.withToken(),
      stack.withToken({ admin: true }),
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('logs project and membership changes made through the API, newest first, with names resolved', async () => {
    const created = await admin.client.post<{ id: number }>('/api/projects', { name: 'Audited' });
    expect(created.status).toBe(201);
    const project = { id: created.body.id };
    const member = await stack.user();
    expect((await admin.client.put(P(project), { id: project.id, name: 'Audited 2' })).status).toBe(204);
    expect((await admin.client.post(`${P(project)}/users`, { user_id: member.id, role: 'guest' })).status).toBe(204);
    expect((await admin.client.put(`${P(project)}/users/${member.id}`, { role: 'manager' })).status).toBe(204);
    expect((await admin.client.delete(`${P(project)}/users/${member.id}`)).status).toBe(204);

    const res = await admin.client.get<WireEvent[]>(`${P(project)}/events`);
    expect(res.status).toBe(200);
    expect(descriptions(res.body)).toEqual([
      `User ID ${member.id} removed from team`,
      `Changed role for User ID ${member.id}`,
      `User ID ${member.id} added to team`,
      'Project Audited 2 updated',
      'Project Audited created',
    ]);
    for (const event of res.body) {
      expect(Object.keys(event)).toEqual(EVENT_KEYS);
      expect(event).toMatchObject({
        user_id: admin.user.id,
        project_id: project.id,
        integration_id: null,
        object_name: '',
        project_name: 'Audited 2',
        username: admin.user.username,
        created: expect.stringMatching(RFC3339_UTC),
      });
    }
    expect(res.body[0]).toMatchObject({ object_type: 'user', object_id: member.id });
    expect(res.body[4]).toMatchObject({ object_type: 'project', object_id: project.id });
  });

  it('resolves the playbook of task events as object_name, as upstream', async () => {
    const project = await projectWithMembers('Tasks');
    const template = await stack.factories.template(project.id);
    const task = await stack.factories.task(template, { playbook: 'deploy.yml' });
    await stack.factories.event(project.id, {
      userId: owner.user.id,
      objectType: 'task',
      objectId: task.id,
      description: `Task ID ${task.id} queued for running`,
    });
    await stack.factories.event(project.id, { userId: null, objectType: 'template', objectId: task.id });
    const res = await guest.client.get<WireEvent[]>(`${P(project)}/events/last`);
    expect(res.status).toBe(200);
    const [other, queued] = res.body;
    expect(queued).toEqual({
      user_id: owner.user.id,
      project_id: project.id,
      integration_id: null,
      object_id: task.id,
      object_type: 'task',
      description: `Task ID ${task.id} queued for running`,
      created: expect.stringMatching(RFC3339_UTC),
      object_name: 'deploy.yml',
      project_name: 'Tasks',
      username: owner.user.username,
    });
    expect(other).toMatchObject({ object_type: 'template', object_name: '', user_id: null, username: null });
  });

  it('returns the newest 200 on /last and all of them on the full list', async () => {
    const project = await projectWithMembers();
    const base = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 205 }, (_, i) => ({
      projectId: project.id,
      objectType: 'view',
      description: `event ${i}`,
      created: new Date(base + i * 1000),
    }));
    await stack.db.dataSource.getRepository(EventEntity).insert(rows);
    const last = await owner.client.get<WireEvent[]>(`${P(project)}/events/last`);
    expect(last.body).toHaveLength(200);
    expect(last.body[0].description).toBe('event 204');
    expect(last.body[199].description).toBe('event 5');
    expect(last.body[0].created).toBe(new Date(base + 204_000).toISOString().replace('.000Z', 'Z'));
    const all = await owner.client.get<WireEvent[]>(`${P(project)}/events`);
    expect(all.body).toHaveLength(205);
  });

  it('shows a user the events of their projects and global ones; admins see everything', async () => {
    const mine = await projectWithMembers('Mine');
    const theirs = await stack.factories.project({ name: 'Theirs' });
    const tag = `scope-${stack.factories.next()}`;
    await stack.factories.event(mine.id, { description: `${tag} mine` });
    await stack.factories.event(theirs.id, { description: `${tag} theirs` });
    await stack.factories.event(null, { objectType: 'user', description: `${tag} global` });
    const visible = async (client: ApiClient, path: string) => {
      const res = await client.get<WireEvent[]>(path);
      expect(res.status).toBe(200);
      return descriptions(res.body).filter((d) => d?.startsWith(tag));
    };
    for (const path of ['/api/events', '/api/events/last']) {
      expect(await visible(guest.client, path)).toEqual([`${tag} global`, `${tag} mine`]);
      expect(await visible(outsider.client, path)).toEqual([`${tag} global`]);
      expect(await visible(admin.client, path)).toEqual([`${tag} global`, `${tag} theirs`, `${tag} mine`]);
    }
    const global = (await guest.client.get<WireEvent[]>('/api/events')).body.find(
      (e) => e.description === `${tag} global`,
    );
    expect(global).toMatchObject({ project_id: null, project_name: null });
  });

  it('logs a project deletion globally, visible to the deleting owner and admins only', async () => {
    const project = await projectWithMembers('Doomed');
    expect((await owner.client.delete(P(project))).status).toBe(204);
    const deletion = (events: WireEvent[]) =>
      events.filter((e) => e.object_type === 'project' && e.object_id === project.id);
    const expected = {
      user_id: owner.user.id,
      project_id: null,
      object_id: project.id,
      object_type: 'project',
      description: 'Project Doomed deleted',
      project_name: null,
      username: owner.user.username,
    };
    expect(deletion((await owner.client.get<WireEvent[]>('/api/events')).body)).toEqual([
      expect.objectContaining(expected),
    ]);
    expect(deletion((await admin.client.get<WireEvent[]>('/api/events/last')).body)).toEqual([
      expect.objectContaining(expected),
    ]);
    expect(deletion((await guest.client.get<WireEvent[]>('/api/events')).body)).toEqual([]);
    expect(deletion((await outsider.client.get<WireEvent[]>('/api/events')).body)).toEqual([]);
  });

  it('hides project events from non-members (404) and everything from anonymous callers (401)', async () => {
    const project = await projectWithMembers();
    await stack.factories.event(project.id);
    for (const path of [`${P(project)}/events`, `${P(project)}/events/last`]) {
      expect((await outsider.client.get(path)).status).toBe(404);
      expect((await stack.client().get(path)).status).toBe(401);
      expect((await admin.client.get(path)).status).toBe(200);
    }
    for (const path of ['/api/events', '/api/events/last']) {
      expect((await stack.client().get(path)).status).toBe(401);
    }
  });
});
