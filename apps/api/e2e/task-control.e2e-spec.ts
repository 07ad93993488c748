import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import {
  redisKey,
  RUNNER_CONTROL_CHANNEL,
  type RunnerControlMessage,
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  taskControlKey,
  taskJobId,
  TaskStatus,
  TemplateType,
  type WireEvent,
} from '@semaphore/models';
import { ProjectEntity, TaskEntity, type TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { apiBatches, taskQueue, waitFor } from './task-queue.e2e-helpers';

type Wire = Record<string, unknown> & { id: number };
type ErrorBody = { error: string };
type AdminEntry = Record<string, unknown> & { task_id: number };

describe('task control: stop, confirm, reject, stop_all_tasks, admin pool, limits', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let subscriber: Redis;
  const messages: RunnerControlMessage[] = [];
  const queues: Queue[] = [];
  let runnerId: number;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_MAX_PARALLEL_TASKS: '0' });
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}`;
    runnerId = (await stack.factories.runner()).id;
    subscriber = stack.redis.client.duplicate();
    await subscriber.subscribe(redisKey(stack.redis.prefix, RUNNER_CONTROL_CHANNEL));
    subscriber.on('message', (_channel, text: string) => messages.push(JSON.parse(text) as RunnerControlMessage));
  });

  afterAll(async () => {
    await subscriber?.quit();
    await Promise.all(queues.map((q) => q.close()));
    await stack?.stop();
  });

  const tasks = () => stack.db.dataSource.getRepository(TaskEntity);
  const row = (id: number) => tasks().findOneByOrFail({ id });
  const controlFlag = (id: number) => stack.redis.client.get(redisKey(stack.redis.prefix, ...taskControlKey(id)));
  const adminList = async () => (await p.admin.get<AdminEntry[]>('/api/tasks')).body;

  /** A template of its own (own runner tag queue, so job counts are exact). */
  function tpl(over: Partial<TemplateEntity> = {}, projectId = p.project.id): Promise<TemplateEntity> {
    return stack.factories.template(projectId, { runnerTag: `t${stack.factories.next()}`, ...over });
  }

  async function createTask(template: TemplateEntity, client: ApiClient = p.owner, body: object = {}) {
    const res = await client.post<Wire>(`/api/project/${template.projectId}/tasks`, {
      template_id: template.id,
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** What the claim endpoint does (runners' part): waiting -> status, with a runner and a claim generation. */
  async function claimAs(id: number, status: TaskStatus): Promise<void> {
    await tasks().update(
      { id },
      { status, runnerId, claimGeneration: 1, claimedAt: new Date(), start: status === 'running' ? new Date() : null },
    );
  }

  async function message(taskId: number, type: RunnerControlMessage['type']): Promise<RunnerControlMessage> {
    return waitFor(`a ${type} message for task ${taskId}`, async () =>
      messages.find((m) => m.taskId === taskId && m.type === type),
    );
  }

  const jobState = (template: TemplateEntity, taskId: number) =>
    taskQueue(stack.redis, `tasks-${template.runnerTag}`, queues).getJobState(taskJobId(taskId));

  describe('stop', () => {
    it('a waiting task is stopped at once: end set, slot released, job removed, finished event, secret gone', async () => {
      const template = await tpl({ name: 'Stop Me' });
      const task = await createTask(template, p.task_runner, { secret: '{"pw":"x"}' });
      expect(await jobState(template, task.id)).toBe('waiting');
      expect(typeof (await row(task.id)).params?.__secret).toBe('string');

      const res = await p.task_runner.post(`${P}/tasks/${task.id}/stop`, {});
      expect(res.status).toBe(204);
      const stopped = await row(task.id);
      expect(stopped.status).toBe(TaskStatus.Stopped);
      expect(stopped.end).toBeInstanceOf(Date);
      expect(stopped.params?.__secret).toBeUndefined();
      expect(await jobState(template, task.id)).toBe('unknown');
      expect((await adminList()).map((e) => e.task_id)).not.toContain(task.id);
      const events = await p.guest.get<WireEvent[]>(`${P}/events`);
      expect(events.body.map((e) => e.description)).toContain(`Task ID ${task.id} (Stop Me) finished - STOPPED`);
      const updates = (await apiBatches(stack.redis, task.id))
        .flatMap((b) => b.events)
        .filter((e) => e.type === 'update');
      expect(updates.map((e) => e.type === 'update' && e.status)).toEqual(['waiting', 'stopped']);

      const again = await p.task_runner.post<ErrorBody>(`${P}/tasks/${task.id}/stop`, {});
      expect(again.status).toBe(400);
      expect(again.body.error).toMatch(/already finished/);
    });

    it('a waiting task behind another of its template: stopping the first admits the second', async () => {
      const template = await tpl();
      const first = await createTask(template);
      const second = await createTask(template);
      expect(await jobState(template, second.id)).toBe('unknown');
      expect((await p.owner.post(`${P}/tasks/${first.id}/stop`, { force: false })).status).toBe(204);
      expect(await jobState(template, second.id)).toBe('waiting');
    });

    it('a running task becomes stopping, with the durable flag and a stop message; force stops it at once', async () => {
      const template = await tpl();
      const task = await createTask(template);
      const next = await createTask(template);
      await claimAs(task.id, TaskStatus.Running);

      expect((await p.task_runner.post(`${P}/tasks/${task.id}/stop`, {})).status).toBe(204);
      expect((await row(task.id)).status).toBe(TaskStatus.Stopping);
      expect(await controlFlag(task.id)).toBe('stop');
      expect(await message(task.id, 'stop')).toEqual({ type: 'stop', taskId: task.id, force: false });
      expect(await jobState(template, next.id)).toBe('unknown');

      expect((await p.task_runner.post(`${P}/tasks/${task.id}/stop`, { force: true })).status).toBe(204);
      const stopped = await row(task.id);
      expect(stopped.status).toBe(TaskStatus.Stopped);
      expect(stopped.end).toBeInstanceOf(Date);
      expect(stopped.start).toBeInstanceOf(Date);
      expect(await controlFlag(task.id)).toBe('force-stop');
      expect(messages).toContainEqual({ type: 'stop', taskId: task.id, force: true });
      // The slot is free: the next task of the template is released to its queue.
      expect(await jobState(template, next.id)).toBe('waiting');
    });

    it('validates the body and the ids', async () => {
      const template = await tpl();
      const task = await createTask(template);
      const bad = await p.owner.post<ErrorBody>(`${P}/tasks/${task.id}/stop`, { force: 'yes' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^force /);
      expect((await p.owner.post(`${P}/tasks/abc/stop`, {})).status).toBe(400);
      expect((await p.owner.post(`${P}/tasks/2000000000/stop`, {})).status).toBe(404);
      const other = await stack.factories.project();
      const foreign = await createTask(await tpl({}, other.id), p.admin);
      expect((await p.owner.post(`${P}/tasks/${foreign.id}/stop`, {})).status).toBe(404);
      expect((await row(foreign.id)).status).toBe(TaskStatus.Waiting);
    });

    it.each([
      ['guest', 403],
      ['nonMember', 404],
      ['task_runner', 204],
    ] as const)('%s -> %d', async (actor, status) => {
      const task = await createTask(await tpl());
      expect((await p[actor].post(`${P}/tasks/${task.id}/stop`, {})).status).toBe(status);
      expect((await row(task.id)).status).toBe(status === 204 ? TaskStatus.Stopped : TaskStatus.Waiting);
    });
  });

  describe('confirm and reject', () => {
    it('confirm: waiting_confirmation -> confirmed, flag and message', async () => {
      const task = await createTask(await tpl({ app: 'terraform' }));
      await claimAs(task.id, TaskStatus.WaitingConfirmation);
      expect((await p.task_runner.post(`${P}/tasks/${task.id}/confirm`, {})).status).toBe(204);
      expect((await row(task.id)).status).toBe(TaskStatus.Confirmed);
      expect(await controlFlag(task.id)).toBe('confirm');
      expect(await message(task.id, 'confirm')).toEqual({ type: 'confirm', taskId: task.id });
      const again = await p.task_runner.post<ErrorBody>(`${P}/tasks/${task.id}/confirm`, {});
      expect(again.status).toBe(400);
      expect(again.body.error).toMatch(/not waiting for confirmation/);
    });

    it('reject: waiting_confirmation -> rejected (terminal: end set, slot released)', async () => {
      const template = await tpl({ app: 'terraform', name: 'Plan' });
      const task = await createTask(template);
      const next = await createTask(template);
      await claimAs(task.id, TaskStatus.WaitingConfirmation);
      expect((await p.task_runner.post(`${P}/tasks/${task.id}/reject`, {})).status).toBe(204);
      const rejected = await row(task.id);
      expect(rejected.status).toBe(TaskStatus.Rejected);
      expect(rejected.end).toBeInstanceOf(Date);
      expect(await controlFlag(task.id)).toBe('reject');
      expect(await message(task.id, 'reject')).toEqual({ type: 'reject', taskId: task.id });
      expect(await jobState(template, next.id)).toBe('waiting');
      const events = await p.guest.get<WireEvent[]>(`${P}/events`);
      expect(events.body.map((e) => e.description)).toContain(`Task ID ${task.id} (Plan) finished - REJECTED`);
    });

    it.each([TaskStatus.Waiting, TaskStatus.Running, TaskStatus.Success])(
      'confirm and reject of a %s task -> 400, nothing changes',
      async (status) => {
        const task = await createTask(await tpl());
        if (status !== TaskStatus.Waiting) await claimAs(task.id, status);
        for (const action of ['confirm', 'reject']) {
          const res = await p.owner.post<ErrorBody>(`${P}/tasks/${task.id}/${action}`, {});
          expect(res.status).toBe(400);
          expect(res.body.error).toMatch(/not waiting for confirmation/);
        }
        expect((await row(task.id)).status).toBe(status);
        expect(await controlFlag(task.id)).toBeNull();
      },
    );

    it('guest -> 403', async () => {
      const task = await createTask(await tpl());
      await claimAs(task.id, TaskStatus.WaitingConfirmation);
      expect((await p.guest.post(`${P}/tasks/${task.id}/confirm`, {})).status).toBe(403);
      expect((await p.guest.post(`${P}/tasks/${task.id}/reject`, {})).status).toBe(403);
      expect((await row(task.id)).status).toBe(TaskStatus.WaitingConfirmation);
    });
  });

  describe('stop_all_tasks', () => {
    it('stops every unfinished task of the template and no other', async () => {
      const template = await tpl({ allowParallelTasks: true });
      const running = await createTask(template);
      const waiting1 = await createTask(template);
      const waiting2 = await createTask(template);
      const done = await createTask(template);
      await claimAs(running.id, TaskStatus.Running);
      await tasks().update({ id: done.id }, { status: TaskStatus.Success });
      const bystander = await createTask(await tpl());

      const res = await p.task_runner.post(`${P}/templates/${template.id}/stop_all_tasks`, {});
      expect(res.status).toBe(204);
      expect((await row(running.id)).status).toBe(TaskStatus.Stopping);
      expect((await row(waiting1.id)).status).toBe(TaskStatus.Stopped);
      expect((await row(waiting2.id)).status).toBe(TaskStatus.Stopped);
      expect((await row(done.id)).status).toBe(TaskStatus.Success);
      expect((await row(bystander.id)).status).toBe(TaskStatus.Waiting);
      expect(await message(running.id, 'stop')).toEqual({ type: 'stop', taskId: running.id, force: false });
    });

    it("another project's template -> 404; guest -> 403", async () => {
      const other = await stack.factories.project();
      const foreign = await tpl({}, other.id);
      const task = await createTask(foreign, p.admin);
      expect((await p.owner.post(`${P}/templates/${foreign.id}/stop_all_tasks`, {})).status).toBe(404);
      expect((await row(task.id)).status).toBe(TaskStatus.Waiting);
      const mine = await tpl();
      expect((await p.guest.post(`${P}/templates/${mine.id}/stop_all_tasks`, {})).status).toBe(403);
    });
  });

  describe('admin task pool (/api/tasks)', () => {
    it('lists queued and running tasks with their location; one entry; DELETE stops', async () => {
      const template = await tpl({ allowParallelTasks: true });
      const queued = await createTask(template, p.task_runner);
      const running = await createTask(template, p.task_runner);
      await claimAs(running.id, TaskStatus.Running);
      const me = (await p.task_runner.get<{ username: string }>('/api/user')).body.username;

      const list = await adminList();
      const q = list.find((e) => e.task_id === queued.id);
      const r = list.find((e) => e.task_id === running.id);
      expect(q).toEqual({
        task_id: queued.id,
        project_id: p.project.id,
        username: me,
        status: 'waiting',
        location: 'queue',
      });
      expect(Object.keys(r ?? {})).toEqual(['task_id', 'project_id', 'username', 'runner_id', 'status', 'location']);
      expect(r).toMatchObject({ runner_id: runnerId, status: 'running', location: 'running' });

      const one = await p.admin.get<AdminEntry>(`/api/tasks/${running.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(r);
      expect((await p.admin.get(`/api/tasks/2000000000`)).status).toBe(404);

      expect((await p.admin.delete(`/api/tasks/${queued.id}`)).status).toBe(204);
      expect((await row(queued.id)).status).toBe(TaskStatus.Stopped);
      expect((await p.admin.delete(`/api/tasks/${running.id}`)).status).toBe(204);
      expect((await row(running.id)).status).toBe(TaskStatus.Stopping);
      expect((await p.admin.delete(`/api/tasks/${queued.id}`)).status).toBe(204);
      expect((await p.admin.delete(`/api/tasks/2000000000`)).status).toBe(404);
    });

    it('is for administrators only', async () => {
      const task = await createTask(await tpl());
      for (const client of [p.owner, p.task_runner, p.guest]) {
        expect((await client.get('/api/tasks')).status).toBe(403);
        expect((await client.get(`/api/tasks/${task.id}`)).status).toBe(403);
        expect((await client.delete(`/api/tasks/${task.id}`)).status).toBe(403);
      }
      expect((await stack.client().get('/api/tasks')).status).toBe(401);
      expect((await row(task.id)).status).toBe(TaskStatus.Waiting);
    });
  });

  describe('limits', () => {
    async function limitedProject(maxParallelTasks: number): Promise<{ projectId: number; client: ApiClient }> {
      const project = await stack.factories.project({ maxParallelTasks });
      const { user, client } = await stack.withToken();
      await stack.factories.projectMember(project.id, user.id);
      return { projectId: project.id, client };
    }

    it('project max_parallel_tasks 2 with 20 tasks: exactly 2 jobs; releasing one admits the next (FIFO)', async () => {
      const { projectId, client } = await limitedProject(2);
      const template = await tpl({ allowParallelTasks: true }, projectId);
      // One after the other: FIFO is the order in which tasks reach admission, and of concurrent POSTs a later id
      // can get there first (the limit itself under concurrency is covered by the TaskStateStore int tests).
      const created: Array<{ id: number }> = [];
      for (let i = 0; i < 20; i++) created.push(await createTask(template, client));
      const ids = created.map((t) => t.id).sort((a, b) => a - b);
      const queue = taskQueue(stack.redis, `tasks-${template.runnerTag}`, queues);
      const jobIds = async () => (await queue.getWaiting()).map((j) => j.id).sort();
      expect(await jobIds()).toEqual([taskJobId(ids[0]), taskJobId(ids[1])].sort());

      expect((await client.post(`/api/project/${projectId}/tasks/${ids[0]}/stop`, {})).status).toBe(204);
      expect(await jobIds()).toEqual([taskJobId(ids[1]), taskJobId(ids[2])].sort());
      const queuedIds = (await adminList()).filter((e) => ids.includes(e.task_id)).map((e) => e.task_id);
      expect(queuedIds).toHaveLength(19);
    });

    it('a project limit change applies to tasks created afterwards', async () => {
      const { projectId, client } = await limitedProject(1);
      const template = await tpl({ allowParallelTasks: true }, projectId);
      const first = await createTask(template, client);
      const second = await createTask(template, client);
      expect(await jobState(template, second.id)).toBe('unknown');
      await stack.db.dataSource.getRepository(ProjectEntity).update({ id: projectId }, { maxParallelTasks: 0 });
      const third = await createTask(template, client);
      // FIFO within the template: the third waits behind the second, which the old limit still blocks.
      expect(await jobState(template, third.id)).toBe('unknown');
      expect((await client.post(`/api/project/${projectId}/tasks/${first.id}/stop`, {})).status).toBe(204);
      expect(await jobState(template, second.id)).toBe('waiting');
      expect(await jobState(template, third.id)).toBe('waiting');
    });
  });

  describe('recovery (sweep)', () => {
    it('re-adds the job of an admitted task that lost it (api died between admission and add)', async () => {
      const template = await tpl();
      const task = await createTask(template);
      const queue = taskQueue(stack.redis, `tasks-${template.runnerTag}`, queues);
      expect(await queue.remove(taskJobId(task.id))).toBe(1);
      await waitFor('the job to come back', async () =>
        (await queue.getJobState(taskJobId(task.id))) === 'waiting' ? true : undefined,
      );
      expect((await queue.getJob(taskJobId(task.id)))?.data).toEqual({ taskId: task.id, projectId: p.project.id });
    });

    it('rebuilds lost admission state from PostgreSQL', async () => {
      const template = await tpl();
      const task = await createTask(template);
      const base = redisKey(stack.redis.prefix, 'ts');
      await stack.redis.client.del(`${base}:waiting`, `${base}:active`, `${base}:task:${task.id}`);
      await waitFor('the task to be registered again', async () =>
        (await adminList()).some((e) => e.task_id === task.id) ? true : undefined,
      );
    });
  });

  describe('build -> deploy autorun (through the event persister)', () => {
    it('a successful build starts its autorun deploy templates with build_task_id', async () => {
      const build = await tpl({ type: TemplateType.Build, startVersion: '3.0.0' });
      const deploy = await tpl({ type: TemplateType.Deploy, buildTemplateId: build.id, autorun: true });
      const manual = await tpl({ type: TemplateType.Deploy, buildTemplateId: build.id, autorun: false });
      const task = await createTask(build);
      await claimAs(task.id, TaskStatus.Running);
      await stack.redis.client.xadd(
        redisKey(stack.redis.prefix, TASK_EVENTS_STREAM),
        '*',
        TASK_EVENTS_FIELD,
        JSON.stringify({
          source: 'runner',
          taskId: task.id,
          projectId: p.project.id,
          templateId: build.id,
          runnerId,
          gen: 1,
          events: [{ type: 'status', status: 'success', time: new Date().toISOString() }],
        }),
      );
      const deployTask = await waitFor(
        'the deploy task',
        async () => (await tasks().findOneBy({ templateId: deploy.id })) ?? undefined,
      );
      expect(deployTask).toMatchObject({ buildTaskId: task.id, status: TaskStatus.Waiting, userId: null });
      expect(await jobState(deploy, deployTask.id)).toBe('waiting');
      expect(await tasks().countBy({ templateId: manual.id })).toBe(0);
      const events = await p.guest.get<WireEvent[]>(`${P}/events`);
      const finished = events.body.filter(
        (e) => e.description === `Task ID ${task.id} (${build.name}) finished - SUCCESS`,
      );
      expect(finished).toHaveLength(1);
    });
  });

  it('the task-queue services logged no warning or error during this file', () => {
    const contexts = /^Task(Create|Control|Lifecycle|Admission|QueueSweeper|Dispatcher)/;
    const problems = stack.api.process
      .jsonLines()
      .filter((l) => typeof l.level === 'number' && l.level >= 40 && contexts.test(String(l.context ?? '')))
      // The recovery tests break the state on purpose; the sweep reports what it repaired.
      .filter((l) => !String(l.msg).startsWith('task queue repaired'));
    expect(problems).toEqual([]);
  });
});

describe('global max_parallel_tasks', () => {
  let stack: ApiStack;
  const queues: Queue[] = [];

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_MAX_PARALLEL_TASKS: '3' });
  });

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await stack?.stop();
  });

  it('20 tasks over 4 projects: never more than 3 admitted; each stop admits the oldest waiting one', async () => {
    const clients: Array<{ client: ApiClient; template: TemplateEntity }> = [];
    for (let i = 0; i < 4; i++) {
      const project = await stack.factories.project();
      const { user, client } = await stack.withToken();
      await stack.factories.projectMember(project.id, user.id);
      clients.push({ client, template: await stack.factories.template(project.id, { allowParallelTasks: true }) });
    }
    const created: Wire[] = [];
    for (let i = 0; i < 20; i++) {
      const { client, template } = clients[i % 4];
      const res = await client.post<Wire>(`/api/project/${template.projectId}/tasks`, { template_id: template.id });
      expect(res.status).toBe(201);
      created.push(res.body);
    }
    const queue = taskQueue(stack.redis, 'tasks', queues);
    const jobIds = async () => (await queue.getWaiting()).map((j) => j.id).sort();
    expect(await jobIds()).toEqual(
      created
        .slice(0, 3)
        .map((t) => taskJobId(t.id))
        .sort(),
    );
    const owner = (t: Wire) => {
      const found = clients.find((c) => c.template.projectId === t.project_id);
      if (!found) throw new Error(`no client for project ${String(t.project_id)}`);
      return found.client;
    };
    await owner(created[1]).post(`/api/project/${created[1].project_id}/tasks/${created[1].id}/stop`, {});
    expect(await jobIds()).toEqual([created[0], created[2], created[3]].map((t) => taskJobId(t.id)).sort());
  });
});
