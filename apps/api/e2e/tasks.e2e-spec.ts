import { TaskStatus, TemplateType } from '@semaphore/models';
import { TaskEntity, TaskOutputEntity, type ProjectEntity, type TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { TASK_KEYS } from './wire-keys';

const TASK_WITH_TPL_KEYS = [
  ...TASK_KEYS,
  'tpl_playbook',
  'tpl_alias',
  'tpl_type',
  'tpl_app',
  'user_name',
  'build_task',
];
const OUTPUT_KEYS = ['task_id', 'task', 'time', 'output'];
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

type Wire = Record<string, unknown> & { id: number };
type ErrorBody = { error: string };

describe('task reads (P/tasks, P/templates/{id}/tasks) and task deletion', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let template: TemplateEntity;
  let other: ProjectEntity;
  let otherTemplate: TemplateEntity;

  beforeAll(async () => {
    stack = await startApiStack();
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}`;
    template = await stack.factories.template(p.project.id, { name: 'Ping Site', playbook: 'ping.yml' });
    other = await stack.factories.project();
    otherTemplate = await stack.factories.template(other.id);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const tasks = () => stack.db.dataSource.getRepository(TaskEntity);
  const outputs = () => stack.db.dataSource.getRepository(TaskOutputEntity);

  /** A project with one member client, for tests that need exact lists. */
  async function freshProject(): Promise<{ project: ProjectEntity; client: ApiClient; base: string }> {
    const project = await stack.factories.project();
    const { user, client } = await stack.withToken();
    await stack.factories.projectMember(project.id, user.id);
    return { project, client, base: `/api/project/${project.id}` };
  }

  /** Many tasks in one INSERT (ids ascend in insertion order). */
  async function bulkTasks(tpl: TemplateEntity, count: number): Promise<number[]> {
    const values = Array.from({ length: count }, () => ({
      templateId: tpl.id,
      projectId: tpl.projectId,
      status: TaskStatus.Success,
    }));
    const result = await tasks().insert(values);
    return result.identifiers.map((i) => i.id as number).sort((a, b) => a - b);
  }

  describe('lists', () => {
    it('GET P/tasks: TaskWithTpl items newest first, with template, user name and build task (Appendix A order)', async () => {
      const { project, client, base } = await freshProject();
      const starter = await stack.user({ name: 'Alice Operator' });
      const build = await stack.factories.template(project.id, {
        name: 'Build App',
        playbook: 'build.yml',
        type: TemplateType.Build,
      });
      const deploy = await stack.factories.template(project.id, {
        name: 'Deploy App',
        playbook: 'deploy.yml',
        type: TemplateType.Deploy,
        buildTemplateId: build.id,
      });
      const buildTask = await stack.factories.task(build, {
        status: TaskStatus.Success,
        version: '1.0.3',
        userId: starter.id,
        start: new Date('2024-10-25T00:43:48.5Z'),
        end: new Date('2024-10-25T00:45:00Z'),
      });
      const deployTask = await stack.factories.task(deploy, { buildTaskId: buildTask.id, message: 'ship it' });

      const res = await client.get<Wire[]>(`${base}/tasks`);
      expect(res.status).toBe(200);
      expect(res.body.map((t) => t.id)).toEqual([deployTask.id, buildTask.id]);
      for (const item of res.body) expect(Object.keys(item)).toEqual(TASK_WITH_TPL_KEYS);
      const [d, b] = res.body;
      expect(d).toMatchObject({
        template_id: deploy.id,
        project_id: project.id,
        status: 'waiting',
        playbook: 'deploy.yml',
        secret: '{}',
        message: 'ship it',
        build_task_id: buildTask.id,
        user_id: null,
        start: null,
        end: null,
        tpl_playbook: 'deploy.yml',
        tpl_alias: 'Deploy App',
        tpl_type: 'deploy',
        tpl_app: 'ansible',
        user_name: null,
      });
      expect(d.created).toMatch(RFC3339_UTC);
      const nested = d.build_task as Wire;
      expect(Object.keys(nested)).toEqual(TASK_KEYS);
      expect(nested).toMatchObject({ id: buildTask.id, version: '1.0.3', status: 'success', user_id: starter.id });
      expect(b).toMatchObject({
        tpl_alias: 'Build App',
        tpl_type: 'build',
        user_name: 'Alice Operator',
        build_task: null,
        start: '2024-10-25T00:43:48.5Z',
        end: '2024-10-25T00:45:00Z',
      });
    });

    it('GET P/tasks returns at most 1000 tasks, the newest ones, and only this project’s', async () => {
      const { project, client, base } = await freshProject();
      const tpl = await stack.factories.template(project.id);
      const ids = await bulkTasks(tpl, 1001);
      await stack.factories.task(otherTemplate);
      const res = await client.get<Wire[]>(`${base}/tasks`);
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(1000);
      expect(res.body[0].id).toBe(ids[1000]);
      expect(res.body[999].id).toBe(ids[1]);
      expect(res.body.every((t) => t.project_id === project.id)).toBe(true);
    });

    it('GET P/tasks/last: default limit 200, ?limit and keyset paging with ?before', async () => {
      const { project, client, base } = await freshProject();
      const tpl = await stack.factories.template(project.id);
      const ids = await bulkTasks(tpl, 205);
      const newestFirst = [...ids].reverse();

      const all = await client.get<Wire[]>(`${base}/tasks/last`);
      expect(all.status).toBe(200);
      expect(all.body.map((t) => t.id)).toEqual(newestFirst.slice(0, 200));
      for (const item of all.body.slice(0, 3)) expect(Object.keys(item)).toEqual(TASK_WITH_TPL_KEYS);

      const five = await client.get<Wire[]>(`${base}/tasks/last?limit=5`);
      expect(five.body.map((t) => t.id)).toEqual(newestFirst.slice(0, 5));
      const empty = await client.get<Wire[]>(`${base}/tasks/last?limit=`);
      expect(empty.body).toHaveLength(200);

      const pages: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await client.get<Wire[]>(`${base}/tasks/last?limit=60${before ? `&before=${before}` : ''}`);
        expect(page.status).toBe(200);
        if (page.body.length === 0) break;
        pages.push(...page.body.map((t) => t.id));
        before = page.body[page.body.length - 1].id;
      }
      expect(pages).toEqual(newestFirst);

      const older = await client.get<Wire[]>(`${base}/tasks/last?before=${ids[3]}`);
      expect(older.body.map((t) => t.id)).toEqual([ids[2], ids[1], ids[0]]);
    });

    it.each([
      ['limit=0', /^limit /],
      ['limit=201', /^limit /],
      ['limit=-1', /^limit /],
      ['limit=abc', /^limit /],
      ['limit=1.5', /^limit /],
      ['limit=1e2', /^limit /],
      ['limit=5&limit=6', /^limit /],
      ['limit=99999999999', /^limit /],
      ['before=0', /^before /],
      ['before=x', /^before /],
      ['before=2147483648', /^before /],
    ])('GET P/tasks/last?%s: 400 naming the parameter', async (query, message) => {
      const res = await p.guest.get<ErrorBody>(`${P}/tasks/last?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      const forTemplate = await p.guest.get<ErrorBody>(`${P}/templates/${template.id}/tasks/last?${query}`);
      expect(forTemplate.status).toBe(400);
      expect(forTemplate.body.error).toMatch(message);
    });

    it('GET P/templates/{id}/tasks and /tasks/last: only that template’s tasks; other templates 404', async () => {
      const { project, client, base } = await freshProject();
      const a = await stack.factories.template(project.id, { name: 'A' });
      const b = await stack.factories.template(project.id, { name: 'B' });
      const a1 = await stack.factories.task(a);
      await stack.factories.task(b);
      const a2 = await stack.factories.task(a);
      const a3 = await stack.factories.task(a);

      const list = await client.get<Wire[]>(`${base}/templates/${a.id}/tasks`);
      expect(list.status).toBe(200);
      expect(list.body.map((t) => t.id)).toEqual([a3.id, a2.id, a1.id]);
      for (const item of list.body) expect(Object.keys(item)).toEqual(TASK_WITH_TPL_KEYS);
      expect(list.body[0]).toMatchObject({ tpl_alias: 'A', template_id: a.id });

      const last = await client.get<Wire[]>(`${base}/templates/${a.id}/tasks/last?limit=2`);
      expect(last.body.map((t) => t.id)).toEqual([a3.id, a2.id]);
      const page2 = await client.get<Wire[]>(`${base}/templates/${a.id}/tasks/last?limit=2&before=${a2.id}`);
      expect(page2.body.map((t) => t.id)).toEqual([a1.id]);

      for (const path of [`/templates/${otherTemplate.id}/tasks`, `/templates/${otherTemplate.id}/tasks/last`]) {
        const res = await client.get<ErrorBody>(`${base}${path}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'Template not found' });
      }
      expect((await client.get(`${base}/templates/999999/tasks`)).status).toBe(404);
      const bad = await client.get<ErrorBody>(`${base}/templates/abc/tasks`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^template_id /);
    });
  });

  describe('single task and output', () => {
    it('GET P/tasks/{id}: the Task in Appendix A key order; unknown or another project’s task 404', async () => {
      const task = await stack.factories.task(template, {
        arguments: '["-v"]',
        gitBranch: 'main',
        environment: '{"a":1}',
        hostsLimit: 'web',
      });
      const res = await p.guest.get<Wire>(`${P}/tasks/${task.id}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(TASK_KEYS);
      expect(res.body).toEqual({
        id: task.id,
        template_id: template.id,
        project_id: p.project.id,
        status: 'waiting',
        debug: false,
        dry_run: false,
        diff: false,
        playbook: 'ping.yml',
        environment: '{"a":1}',
        limit: 'web',
        secret: '{}',
        arguments: '["-v"]',
        git_branch: 'main',
        user_id: null,
        integration_id: null,
        schedule_id: null,
        created: expect.stringMatching(RFC3339_UTC),
        start: null,
        end: null,
        message: '',
        commit_hash: null,
        commit_message: '',
        build_task_id: null,
        version: null,
        inventory_id: template.inventoryId,
        error_code: null,
        retry_of_task_id: null,
        progress: null,
      });

      const foreign = await stack.factories.task(otherTemplate);
      for (const id of [foreign.id, 999_999]) {
        for (const suffix of ['', '/output', '/raw_output']) {
          const r = await p.owner.get<ErrorBody>(`${P}/tasks/${id}${suffix}`);
          expect({ suffix, status: r.status, body: r.body }).toEqual({
            suffix,
            status: 404,
            body: { error: 'Task not found' },
          });
        }
      }
      const bad = await p.owner.get<ErrorBody>(`${P}/tasks/4x`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^task_id /);
    });

    it('GET output: TaskOutput items ordered by seq, even inserted out of order with equal or reversed times', async () => {
      const task = await stack.factories.task(template, { status: TaskStatus.Running });
      const same = new Date('2024-10-25T00:43:49Z');
      await stack.factories.taskOutput(task.id, 3, { time: same, output: 'third' });
      await stack.factories.taskOutput(task.id, 1, { time: same, output: 'first' });
      await stack.factories.taskOutput(task.id, 4, { time: new Date('2024-10-25T00:43:40Z'), output: 'fourth' });
      await stack.factories.taskOutput(task.id, 2, { time: same, output: 'second' });
      const otherTask = await stack.factories.task(template);
      await stack.factories.taskOutput(otherTask.id, 1, { output: 'not mine' });

      const res = await p.guest.get<Record<string, unknown>[]>(`${P}/tasks/${task.id}/output`);
      expect(res.status).toBe(200);
      expect(res.body.map((l) => l.output)).toEqual(['first', 'second', 'third', 'fourth']);
      for (const line of res.body) expect(Object.keys(line)).toEqual(OUTPUT_KEYS);
      expect(res.body[0]).toEqual({ task_id: task.id, task: '', time: '2024-10-25T00:43:49Z', output: 'first' });

      const after = await p.guest.get<Record<string, unknown>[]>(`${P}/tasks/${task.id}/output?after_seq=2`);
      expect(after.body.map((l) => l.output)).toEqual(['third', 'fourth']);
      const all = await p.guest.get<unknown[]>(`${P}/tasks/${task.id}/output?after_seq=0`);
      expect(all.body).toHaveLength(4);
      const none = await p.guest.get<unknown[]>(`${P}/tasks/${task.id}/output?after_seq=4`);
      expect(none.body).toEqual([]);
      for (const bad of ['-1', 'x', '1.5']) {
        const r = await p.guest.get<ErrorBody>(`${P}/tasks/${task.id}/output?after_seq=${bad}`);
        expect(r.status).toBe(400);
        expect(r.body.error).toMatch(/^after_seq /);
      }
      const empty = await p.guest.get(`${P}/tasks/${otherTask.id}/output`);
      expect(empty.body).toEqual([{ task_id: otherTask.id, task: '', time: expect.any(String), output: 'not mine' }]);
    });

    it('GET raw_output: text/plain (nosniff), the lines in seq order joined with \\n, HTML left as text', async () => {
      const task = await stack.factories.task(template, { status: TaskStatus.Success });
      await stack.factories.taskOutput(task.id, 2, { output: '<script>alert(1)</script>' });
      await stack.factories.taskOutput(task.id, 1, { output: 'PLAY [all] ***' });
      await stack.factories.taskOutput(task.id, 3, { output: 'ok=1 changed=0' });
      const res = await p.guest.get(`${P}/tasks/${task.id}/raw_output`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.text).toBe('PLAY [all] ***\n<script>alert(1)</script>\nok=1 changed=0');

      const silent = await stack.factories.task(template);
      const none = await p.guest.get(`${P}/tasks/${silent.id}/raw_output`);
      expect(none.status).toBe(200);
      expect(none.text).toBe('');
    });

    it('reads need membership: anonymous 401, non-member 404', async () => {
      const task = await stack.factories.task(template);
      for (const path of ['/tasks', '/tasks/last', `/tasks/${task.id}`, `/tasks/${task.id}/output`]) {
        expect((await stack.client().get(`${P}${path}`)).status).toBe(401);
        expect((await p.nonMember.get(`${P}${path}`)).status).toBe(404);
      }
      expect((await p.nonMember.get(`${P}/templates/${template.id}/tasks`)).status).toBe(404);
    });
  });

  describe('DELETE P/tasks/{id}', () => {
    it('role matrix: only administrators may delete (members 403, non-member 404, anonymous 401)', async () => {
      const actors: [string, ApiClient, number][] = [
        ['owner', p.owner, 403],
        ['manager', p.manager, 403],
        ['task_runner', p.task_runner, 403],
        ['guest', p.guest, 403],
        ['non-member', p.nonMember, 404],
        ['anonymous', stack.client(), 401],
        ['admin', p.admin, 204],
      ];
      for (const [actor, client, expected] of actors) {
        const task = await stack.factories.task(template, { status: TaskStatus.Success });
        await stack.factories.taskOutput(task.id, 1);
        const res = await client.delete(`${P}/tasks/${task.id}`);
        expect({ actor, status: res.status }).toEqual({ actor, status: expected });
        const remaining = await tasks().countBy({ id: task.id });
        expect({ actor, remaining }).toEqual({ actor, remaining: expected === 204 ? 0 : 1 });
      }
    });

    it('deletes a finished task and its output (204, empty body); then it is 404', async () => {
      for (const status of [TaskStatus.Success, TaskStatus.Error, TaskStatus.Stopped]) {
        const task = await stack.factories.task(template, { status });
        await stack.factories.taskOutput(task.id, 1);
        await stack.factories.taskOutput(task.id, 2);
        const res = await p.admin.delete(`${P}/tasks/${task.id}`);
        expect(res.status).toBe(204);
        expect(res.text).toBe('');
        expect(await outputs().countBy({ taskId: task.id })).toBe(0);
        expect((await p.admin.get(`${P}/tasks/${task.id}`)).status).toBe(404);
      }
    });

    it('refuses an active task with 400 and keeps it and its output', async () => {
      for (const status of [
        TaskStatus.Waiting,
        TaskStatus.Running,
        TaskStatus.WaitingConfirmation,
        TaskStatus.Stopping,
      ]) {
        const task = await stack.factories.task(template, { status });
        await stack.factories.taskOutput(task.id, 1);
        const res = await p.admin.delete<ErrorBody>(`${P}/tasks/${task.id}`);
        expect({ status, code: res.status }).toEqual({ status, code: 400 });
        expect(res.body.error).toMatch(/active/);
        expect(await tasks().countBy({ id: task.id })).toBe(1);
        expect(await outputs().countBy({ taskId: task.id })).toBe(1);
      }
    });

    it('another project’s task through this URL: 404 and nothing deleted', async () => {
      const foreign = await stack.factories.task(otherTemplate, { status: TaskStatus.Success });
      const res = await p.admin.delete<ErrorBody>(`${P}/tasks/${foreign.id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Task not found' });
      expect(await tasks().countBy({ id: foreign.id })).toBe(1);
    });
  });
});
