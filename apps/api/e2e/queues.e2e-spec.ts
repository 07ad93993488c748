import type { Queue } from 'bullmq';
import { taskJobId, TaskStatus, type WireEvent } from '@semaphore/models';
import { TaskEntity, type TemplateEntity } from '@semaphore/persistence';
import { ApiClient, startApiStack, type ApiStack, type ProjectActors } from '@semaphore/testing';
import type {
  QueuedTaskView as Queued,
  QueuesOverview as Overview,
  QueueView,
} from '../src/modules/queues/queue-overview';
import { WsClient } from './task-events-helpers';
import { taskQueue } from './task-queue.e2e-helpers';

type Wire = Record<string, unknown> & { id: number };
type ErrorBody = { error: string };
interface RetryFailed {
  tasks: Array<Wire & { retry_of_task_id: number | null; status: string }>;
  skipped: Array<{ task_id: number; reason: string }>;
}

describe('queue management: /api/queues and /api/project/{id}/queues', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  const opened: Queue[] = [];
  let runnerId: number;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_MAX_PARALLEL_TASKS: '0' });
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}`;
    runnerId = (await stack.factories.runner()).id;
  });

  afterAll(async () => {
    await Promise.all(opened.map((q) => q.close()));
    await stack?.stop();
  });

  const tasks = () => stack.db.dataSource.getRepository(TaskEntity);
  const row = (id: number) => tasks().findOneByOrFail({ id });
  /** A runner tag of the test's own: its queue holds only the test's tasks. */
  const newTag = () => `q${stack.factories.next()}`;

  function tpl(runnerTag: string, over: Partial<TemplateEntity> = {}, projectId = p.project.id) {
    return stack.factories.template(projectId, { runnerTag, ...over });
  }

  async function createTask(template: TemplateEntity, client: ApiClient = p.admin): Promise<Wire> {
    const res = await client.post<Wire>(`/api/project/${template.projectId}/tasks`, { template_id: template.id });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** What a runner's claim does (runners' part): the task leaves `waiting`. */
  async function claimAs(id: number, status: TaskStatus): Promise<void> {
    await tasks().update({ id }, { status, runnerId, claimGeneration: 1, claimedAt: new Date() });
  }

  /** A task that ended in `error` as a runner would have left it. */
  function failedTask(template: TemplateEntity, over: Partial<TaskEntity> = {}) {
    return stack.factories.task(template, {
      status: TaskStatus.Error,
      runnerTag: template.runnerTag,
      start: new Date(),
      end: new Date(),
      ...over,
    });
  }

  const jobState = (tag: string, id: number) =>
    taskQueue(stack.redis, `tasks-${tag}`, opened).getJobState(taskJobId(id));

  async function queueView(client: ApiClient, base: string, name: string): Promise<QueueView> {
    const res = await client.get<Overview>(`${base}/queues`);
    expect(res.status).toBe(200);
    const view = res.body.queues.find((q) => q.name === name);
    if (!view) throw new Error(`queue ${name} not listed: ${res.text}`);
    return view;
  }

  async function queued(client: ApiClient, base: string, name: string): Promise<Queued[]> {
    const res = await client.get<Queued[]>(`${base}/queues/${name}/tasks`);
    expect(res.status).toBe(200);
    return res.body;
  }

  const positions = (list: Queued[]) => list.map((t) => [t.position, t.id, t.state]);

  describe('counts', () => {
    it('counts tasks by state per queue and per project, failed ones of the last 24 h included', async () => {
      const tag = newTag();
      const serial = await tpl(tag);
      const other = await stack.factories.project();
      await createTask(serial); // admitted
      await createTask(serial); // waits behind it (one at a time per template)
      const running = await createTask(await tpl(tag, { allowParallelTasks: true }));
      await claimAs(running.id, TaskStatus.Running);
      await failedTask(serial);
      await failedTask(serial, { end: new Date(Date.now() - 30 * 3600 * 1000) });
      await createTask(await tpl(tag, {}, other.id));

      const view = await queueView(p.admin, '/api', tag);
      expect(view).toMatchObject({ runner_tag: tag, paused: false, paused_queue: false, paused_projects: [] });
      expect(view.counts).toEqual({
        waiting: 1,
        admitted: 2,
        starting: 0,
        running: 1,
        waiting_confirmation: 0,
        confirmed: 0,
        stopping: 0,
        failed_24h: 1,
      });
      expect(view.projects.map((x) => [x.project_id, x.counts.admitted, x.counts.waiting])).toEqual([
        [p.project.id, 1, 1],
        [other.id, 1, 0],
      ]);
      const overview = (await p.admin.get<Overview>('/api/queues')).body;
      expect(overview.queues[0].name).toBe('tasks');
      expect(overview.projects.find((x) => x.project_id === other.id)?.counts.admitted).toBeGreaterThanOrEqual(1);

      // The project's view: the same queue, its own tasks only.
      const mine = await queueView(p.owner, P, tag);
      expect(mine.counts).toMatchObject({ waiting: 1, admitted: 1, running: 1, failed_24h: 1 });
      expect(mine.projects.map((x) => x.project_id)).toEqual([p.project.id]);
      const own = (await p.manager.get<Overview>(`${P}/queues`)).body;
      expect(own.projects.map((x) => x.project_id)).toEqual([p.project.id]);
      expect(JSON.stringify(own)).not.toContain(`"project_id":${other.id}`);
    });
  });

  describe('queued tasks in dispatch order', () => {
    it('admitted tasks first, then the admission queue FIFO; a freed slot moves the next task of the template up', async () => {
      const tag = newTag();
      const a = await tpl(tag);
      const b = await tpl(tag);
      const a1 = await createTask(a);
      const b1 = await createTask(b);
      const a2 = await createTask(a);
      const b2 = await createTask(b);
      const a3 = await createTask(a);
      const list = await queued(p.admin, '/api', tag);
      expect(positions(list)).toEqual([
        [1, a1.id, 'admitted'],
        [2, b1.id, 'admitted'],
        [3, a2.id, 'waiting'],
        [4, b2.id, 'waiting'],
        [5, a3.id, 'waiting'],
      ]);
      expect(list[2]).toMatchObject({ project_id: p.project.id, template_id: a.id, status: 'waiting', paused: false });
      expect(Date.parse(list[2].created)).not.toBeNaN();

      expect((await p.owner.post(`${P}/tasks/${a1.id}/stop`, {})).status).toBe(204);
      expect(positions(await queued(p.owner, P, tag))).toEqual([
        [1, b1.id, 'admitted'],
        [2, a2.id, 'admitted'],
        [3, b2.id, 'waiting'],
        [4, a3.id, 'waiting'],
      ]);
    });
  });

  describe('pause and resume', () => {
    it("a paused queue keeps its tasks queued and takes no slot: the project's next task in another queue runs", async () => {
      const limited = await stack.factories.project({ maxParallelTasks: 1 });
      const paused = newTag();
      const open = newTag();
      await tpl(paused, {}, limited.id); // makes the queue known
      expect((await p.admin.post(`/api/queues/${paused}/pause`, {})).status).toBe(204);
      const held = await createTask(await tpl(paused, {}, limited.id));
      const next = await createTask(await tpl(open, {}, limited.id));

      expect(await jobState(paused, held.id)).toBe('unknown');
      expect(await jobState(open, next.id)).toBe('waiting');
      expect((await row(held.id)).status).toBe(TaskStatus.Waiting);
      expect(await queueView(p.admin, '/api', paused)).toMatchObject({
        paused: true,
        paused_queue: true,
        counts: { waiting: 1, admitted: 0 },
      });
      expect(positions(await queued(p.admin, '/api', paused))).toEqual([[1, held.id, 'waiting']]);
      expect((await queued(p.admin, '/api', paused))[0].paused).toBe(true);

      // Resumed, it still obeys the project's limit (the other task holds the slot) until that task ends.
      expect((await p.admin.post(`/api/queues/${paused}/resume`, {})).status).toBe(204);
      expect(await jobState(paused, held.id)).toBe('unknown');
      expect((await p.admin.post(`/api/project/${limited.id}/tasks/${next.id}/stop`, {})).status).toBe(204);
      expect(await jobState(paused, held.id)).toBe('waiting');
      expect((await queueView(p.admin, '/api', paused)).paused).toBe(false);
    });

    it('pausing takes back admitted tasks no runner has taken; resume releases them in FIFO order', async () => {
      const tag = newTag();
      const parallel = await tpl(tag, { allowParallelTasks: true });
      const z = [await createTask(parallel), await createTask(parallel)];
      const serial = await tpl(tag);
      const s = [await createTask(serial), await createTask(serial), await createTask(serial)];
      for (const t of [...z, s[0]]) expect(await jobState(tag, t.id)).toBe('waiting');

      expect((await p.admin.post(`/api/queues/${tag}/pause`, {})).status).toBe(204);
      for (const t of [...z, ...s]) expect(await jobState(tag, t.id)).toBe('unknown');
      expect((await queueView(p.admin, '/api', tag)).counts).toMatchObject({ waiting: 5, admitted: 0 });
      const held = await queued(p.admin, '/api', tag);
      expect(held.map((t) => [t.id, t.state, t.paused])).toEqual(
        [...z, ...s].sort((x, y) => x.id - y.id).map((t) => [t.id, 'waiting', true]),
      );

      expect((await p.admin.post(`/api/queues/${tag}/resume`, {})).status).toBe(204);
      expect(positions(await queued(p.admin, '/api', tag))).toEqual([
        [1, z[0].id, 'admitted'],
        [2, z[1].id, 'admitted'],
        [3, s[0].id, 'admitted'],
        [4, s[1].id, 'waiting'],
        [5, s[2].id, 'waiting'],
      ]);
      for (const t of [...z, s[0]]) expect(await jobState(tag, t.id)).toBe('waiting');
      expect(await jobState(tag, s[1].id)).toBe('unknown');
    });

    it('pause and resume are idempotent', async () => {
      const tag = newTag();
      await tpl(tag);
      expect((await p.admin.post(`/api/queues/${tag}/resume`, {})).status).toBe(204);
      expect((await p.admin.post(`/api/queues/${tag}/pause`, {})).status).toBe(204);
      expect((await p.admin.post(`/api/queues/${tag}/pause`, {})).status).toBe(204);
      expect((await queueView(p.admin, '/api', tag)).paused).toBe(true);
      expect((await p.admin.post(`/api/queues/${tag}/resume`, {})).status).toBe(204);
      expect((await queueView(p.admin, '/api', tag)).paused).toBe(false);
    });

    it('the pause lives in Redis: an api replica started afterwards honours it, and can lift it', async () => {
      const tag = newTag();
      const template = await tpl(tag);
      expect((await p.admin.post(`/api/queues/${tag}/pause`, {})).status).toBe(204);
      const replica = await stack.startReplica();
      try {
        const there = new ApiClient(replica.baseUrl).withToken(p.admin.bearerToken ?? '');
        expect((await queueView(there, '/api', tag)).paused).toBe(true);
        const task = await createTask(template, there);
        expect(await jobState(tag, task.id)).toBe('unknown');
        expect((await queued(p.admin, '/api', tag)).map((t) => [t.id, t.paused])).toEqual([[task.id, true]]);
        expect((await there.post(`/api/queues/${tag}/resume`, {})).status).toBe(204);
        expect(await jobState(tag, task.id)).toBe('waiting');
        expect((await queueView(p.admin, '/api', tag)).paused).toBe(false);
      } finally {
        await replica.process.stop();
      }
    });
  });

  describe('cancel', () => {
    it('a queued task ends stopped through the normal path: update message on the WebSocket, finish event', async () => {
      const tag = newTag();
      const template = await tpl(tag, { name: 'Cancel Me' });
      const blocker = await createTask(template);
      const task = await createTask(template);
      const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${p.owner.bearerToken}` });
      try {
        expect((await p.admin.post(`/api/queues/${tag}/tasks/${task.id}/cancel`, {})).status).toBe(204);
        await ws.waitFor(
          (ms) => ms.some((m) => m.task_id === task.id && m.type === 'update' && m.status === 'stopped'),
          'the stopped update',
        );
      } finally {
        ws.close();
      }
      const stopped = await row(task.id);
      expect(stopped.status).toBe(TaskStatus.Stopped);
      expect(stopped.end).toBeInstanceOf(Date);
      const events = await p.guest.get<WireEvent[]>(`${P}/events`);
      expect(events.body.map((e) => e.description)).toContain(`Task ID ${task.id} (Cancel Me) finished - STOPPED`);
      expect((await queued(p.admin, '/api', tag)).map((t) => t.id)).toEqual([blocker.id]);

      // An admitted (released, unclaimed) task can be cancelled too, by the project's owner: its job goes.
      expect((await p.owner.post(`${P}/queues/${tag}/tasks/${blocker.id}/cancel`, {})).status).toBe(204);
      expect((await row(blocker.id)).status).toBe(TaskStatus.Stopped);
      expect(await jobState(tag, blocker.id)).toBe('unknown');
    });

    it('a task a runner has is refused with 409 pointing to stop; a finished one too; wrong queue 404', async () => {
      const tag = newTag();
      const template = await tpl(tag, { allowParallelTasks: true });
      const task = await createTask(template);
      await claimAs(task.id, TaskStatus.Running);
      const res = await p.admin.post<ErrorBody>(`/api/queues/${tag}/tasks/${task.id}/cancel`, {});
      expect(res.status).toBe(409);
      expect(res.body.error).toBe(
        `Task ${task.id} is no longer queued (status running): use POST ${P}/tasks/${task.id}/stop`,
      );
      expect((await row(task.id)).status).toBe(TaskStatus.Running);

      const done = await failedTask(template);
      const finished = await p.admin.post<ErrorBody>(`/api/queues/${tag}/tasks/${done.id}/cancel`, {});
      expect(finished.status).toBe(409);
      expect(finished.body.error).toMatch(/already finished/);

      const queuedTask = await createTask(template);
      expect((await p.admin.post(`/api/queues/tasks/tasks/${queuedTask.id}/cancel`, {})).status).toBe(404);
      expect((await p.admin.post(`/api/queues/${tag}/tasks/2000000000/cancel`, {})).status).toBe(404);
      expect((await row(queuedTask.id)).status).toBe(TaskStatus.Waiting);
    });
  });

  describe('project scope', () => {
    it("sees and pauses only its own project's tasks in a shared queue", async () => {
      const tag = newTag();
      const other = await stack.factories.project();
      const theirs = await tpl(tag, { allowParallelTasks: true }, other.id);
      const mine = await tpl(tag, { allowParallelTasks: true });
      const foreign = await createTask(theirs);
      const own = await createTask(mine);
      expect(positions(await queued(p.owner, P, tag))).toEqual([[1, own.id, 'admitted']]);

      expect((await p.manager.post(`${P}/queues/${tag}/pause`, {})).status).toBe(204);
      expect(await jobState(tag, own.id)).toBe('unknown');
      expect(await jobState(tag, foreign.id)).toBe('waiting');
      const ownNext = await createTask(mine);
      const foreignNext = await createTask(theirs);
      expect(await jobState(tag, ownNext.id)).toBe('unknown');
      expect(await jobState(tag, foreignNext.id)).toBe('waiting');
      expect(await queueView(p.owner, P, tag)).toMatchObject({
        paused: true,
        paused_queue: false,
        paused_projects: [p.project.id],
      });
      const all = await queueView(p.admin, '/api', tag);
      expect(all).toMatchObject({ paused: false, paused_queue: false, paused_projects: [p.project.id] });
      expect(all.projects.map((x) => [x.project_id, x.paused])).toEqual([
        [p.project.id, true],
        [other.id, false],
      ]);

      // The project cannot touch the other project's task, nor lift an administrator's queue-wide pause.
      expect((await p.owner.post(`${P}/queues/${tag}/tasks/${foreign.id}/cancel`, {})).status).toBe(404);
      expect((await row(foreign.id)).status).toBe(TaskStatus.Waiting);
      expect((await p.admin.post(`/api/queues/${tag}/pause`, {})).status).toBe(204);
      expect((await p.owner.post(`${P}/queues/${tag}/resume`, {})).status).toBe(204);
      expect(await queueView(p.owner, P, tag)).toMatchObject({ paused: true, paused_queue: true, paused_projects: [] });
      expect(await jobState(tag, own.id)).toBe('unknown');
      expect((await p.admin.post(`/api/queues/${tag}/resume`, {})).status).toBe(204);
      expect(await jobState(tag, own.id)).toBe('waiting');
      expect(await jobState(tag, ownNext.id)).toBe('waiting');
    });

    it.each([
      ['owner', 200, 204],
      ['manager', 200, 204],
      ['task_runner', 403, 403],
      ['guest', 403, 403],
      ['nonMember', 404, 404],
    ] as const)('%s: GET %d, pause %d', async (actor, read, write) => {
      const tag = newTag();
      await tpl(tag);
      expect((await p[actor].get(`${P}/queues`)).status).toBe(read);
      expect((await p[actor].get(`${P}/queues/${tag}/tasks`)).status).toBe(read);
      expect((await p[actor].post(`${P}/queues/${tag}/pause`, {})).status).toBe(write);
      expect((await queueView(p.admin, '/api', tag)).paused_projects).toEqual(write === 204 ? [p.project.id] : []);
    });

    it('the administrators routes refuse members, even owners', async () => {
      const tag = newTag();
      await tpl(tag);
      for (const res of [
        await p.owner.get('/api/queues'),
        await p.owner.get(`/api/queues/${tag}/tasks`),
        await p.owner.post(`/api/queues/${tag}/pause`, {}),
        await p.owner.post('/api/queues/retry-failed', {}),
      ]) {
        expect(res.status).toBe(403);
      }
      expect((await queueView(p.admin, '/api', tag)).paused).toBe(false);
      expect((await stack.client().get('/api/queues')).status).toBe(401);
    });
  });

  describe('bulk retry of failed tasks', () => {
    it('retries each failed task once, through the retry path; those already retried are skipped', async () => {
      const project = await stack.factories.project();
      const base = `/api/project/${project.id}`;
      const template = await tpl(newTag(), { allowParallelTasks: true }, project.id);
      const f1 = await failedTask(template, { environment: '{"a":1}', message: 'one' });
      const f2 = await failedTask(template);
      await failedTask(template, { status: TaskStatus.Success });
      await failedTask(template, { end: new Date(Date.now() - 48 * 3600 * 1000) });

      const first = await p.admin.post<RetryFailed>(`${base}/queues/retry-failed`, {});
      expect(first.status).toBe(200);
      expect(first.body.skipped).toEqual([]);
      expect(first.body.tasks.map((t) => [t.retry_of_task_id, t.status, t.template_id])).toEqual([
        [f1.id, 'waiting', template.id],
        [f2.id, 'waiting', template.id],
      ]);
      expect(first.body.tasks[0]).toMatchObject({ environment: '{"a":1}', message: 'one', secret: '{}' });
      expect((await row(first.body.tasks[0].id)).retryOfTaskId).toBe(f1.id);

      const again = await p.admin.post<RetryFailed>(`${base}/queues/retry-failed`, {});
      expect(again.body.tasks).toEqual([]);
      expect(again.body.skipped).toEqual([
        { task_id: f1.id, reason: `already retried by task ${first.body.tasks[0].id}` },
        { task_id: f2.id, reason: `already retried by task ${first.body.tasks[1].id}` },
      ]);
    });

    it('filters by template, time and count; the administrators route spans projects', async () => {
      const project = await stack.factories.project();
      const base = `/api/project/${project.id}`;
      const t1 = await tpl(newTag(), { allowParallelTasks: true }, project.id);
      const t2 = await tpl(newTag(), { allowParallelTasks: true }, project.id);
      const old = await failedTask(t1, { end: new Date(Date.now() - 72 * 3600 * 1000) });
      const a = await failedTask(t1);
      const b = await failedTask(t2);
      const c = await failedTask(t2);

      const future = await p.admin.post<RetryFailed>(`${base}/queues/retry-failed`, {
        since: new Date(Date.now() + 3600 * 1000).toISOString(),
      });
      expect(future.body).toEqual({ tasks: [], skipped: [] });
      const byTemplate = await p.admin.post<RetryFailed>(`${base}/queues/retry-failed`, {
        template_id: t2.id,
        limit: 1,
      });
      expect(byTemplate.body.tasks.map((t) => t.retry_of_task_id)).toEqual([b.id]);
      const since = await p.admin.post<RetryFailed>(`${base}/queues/retry-failed`, {
        since: new Date(Date.now() - 100 * 3600 * 1000).toISOString(),
        template_id: t1.id,
      });
      expect(since.body.tasks.map((t) => t.retry_of_task_id)).toEqual([old.id, a.id]);
      const all = await p.admin.post<RetryFailed>('/api/queues/retry-failed', { template_id: t2.id });
      expect(all.body.tasks.map((t) => t.retry_of_task_id)).toEqual([c.id]);
      expect(all.body.skipped.map((s) => s.task_id)).toEqual([b.id]);
    });

    it('refuses hostile input with 400 naming the field, creating nothing', async () => {
      const other = await stack.factories.project();
      const foreignTemplate = await tpl(newTag(), {}, other.id);
      const mine = await tpl(newTag());
      await failedTask(mine);
      const before = await tasks().count();
      const cases: Array<[object, RegExp]> = [
        [{ limit: 1000 }, /^limit /],
        [{ limit: 0 }, /^limit /],
        [{ limit: -1 }, /^limit /],
        [{ limit: '5' }, /^limit /],
        [{ limit: 1.5 }, /^limit /],
        [{ since: 'yesterday' }, /^since /],
        [{ since: '2024-02-30T00:00:00Z' }, /^since /],
        [{ since: 12 }, /^since /],
        [{ template_id: -5 }, /^template_id /],
        [{ template_id: 99_999_999_999 }, /^template_id /],
        [{ template_id: foreignTemplate.id }, /^template_id must be a template of this project/],
      ];
      for (const [body, error] of cases) {
        const res = await p.owner.post<ErrorBody>(`${P}/queues/retry-failed`, body);
        expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
        expect(res.body.error).toMatch(error);
      }
      const malformed = await p.owner.post(`${P}/queues/retry-failed`, '{"limit":', {
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expect(await tasks().count()).toBe(before);
    });
  });

  describe('queue names and ids', () => {
    it('400 for names that cannot be queues or bad ids, 404 for queues nothing uses', async () => {
      for (const name of ['BAD', 'a%20b', 'x'.repeat(65), 'tasks:1', 'a.b']) {
        const res = await p.admin.get<ErrorBody>(`/api/queues/${name}/tasks`);
        expect([name, res.status]).toEqual([name, 400]);
        expect(res.body.error).toMatch(/^queue must be/);
        expect((await p.owner.post(`${P}/queues/${name}/pause`, {})).status).toBe(400);
      }
      expect((await p.admin.get('/api/queues/nosuchqueue/tasks')).status).toBe(404);
      expect((await p.admin.post('/api/queues/nosuchqueue/pause', {})).status).toBe(404);
      expect((await p.admin.post('/api/queues/nosuchqueue/resume', {})).status).toBe(404);
      expect((await p.admin.post('/api/queues/nosuchqueue/tasks/1/cancel', {})).status).toBe(404);
      expect((await p.admin.get<Overview>('/api/queues')).body.queues.map((q) => q.name)).not.toContain('nosuchqueue');
      // A queue another project uses is unknown to this one.
      const otherTag = newTag();
      await tpl(otherTag, {}, (await stack.factories.project()).id);
      expect((await p.owner.post(`${P}/queues/${otherTag}/pause`, {})).status).toBe(404);
      expect((await queueView(p.admin, '/api', otherTag)).paused_projects).toEqual([]);
      for (const id of ['-1', '0', 'abc', '99999999999', '1.5']) {
        expect((await p.admin.post(`/api/queues/tasks/tasks/${id}/cancel`, {})).status).toBe(400);
      }
      expect((await p.owner.get('/api/project/-3/queues')).status).toBe(400);
    });
  });
});
