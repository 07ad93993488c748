import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import { taskJobId, TaskStatus, TemplateType, type WireEvent, type WireTaskOutput } from '@semaphore/models';
import { TaskEntity, type TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { apiBatches, dumpRedis, taskQueue, waitFor } from './task-queue.e2e-helpers';
import { TASK_KEYS } from './wire-keys';

const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

type Wire = Record<string, unknown> & { id: number };
type ErrorBody = { error: string };

describe('POST P/tasks', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let template: TemplateEntity;
  const queues: Queue[] = [];

  beforeAll(async () => {
    // No global limit here (no runner takes the jobs, so admitted tasks stay admitted); limits: task-control e2e.
    stack = await startApiStack({ SEMAPHORE_MAX_PARALLEL_TASKS: '0' });
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}`;
    template = await stack.factories.template(p.project.id, { name: 'Ping Site', allowParallelTasks: true });
  });

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await stack?.stop();
  });

  /** Warnings and errors the task-queue services logged (Redis failures, sweep failures...). */
  function taskQueueProblems(): Array<Record<string, unknown>> {
    const contexts = /^Task(Create|Control|Lifecycle|Admission|QueueSweeper|Dispatcher)/;
    return stack.api.process
      .jsonLines()
      .filter((l) => typeof l.level === 'number' && l.level >= 40 && contexts.test(String(l.context ?? '')));
  }

  const tasks = () => stack.db.dataSource.getRepository(TaskEntity);
  const userId = async (client: ApiClient) => (await client.get<{ id: number }>('/api/user')).body.id;

  async function create(client: ApiClient, body: Record<string, unknown>, base = P) {
    return client.post<Wire & ErrorBody>(`${base}/tasks`, body);
  }

  describe('the created task', () => {
    it('is 201 with the Task exactly as Appendix A, secret "{}" and environment as sent', async () => {
      const environment = '{"b": 1,  "a": "x"}';
      const res = await create(p.owner, { template_id: template.id, environment, secret: '{"pw":"x"}' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(TASK_KEYS);
      expect(res.body).toEqual({
        id: expect.any(Number),
        template_id: template.id,
        project_id: p.project.id,
        status: 'waiting',
        debug: false,
        dry_run: false,
        diff: false,
        playbook: '',
        environment,
        limit: '',
        secret: '{}',
        arguments: null,
        git_branch: null,
        user_id: await userId(p.owner),
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
        inventory_id: null,
        error_code: null,
        retry_of_task_id: null,
        progress: null,
      });
      const get = await p.guest.get<Wire>(`${P}/tasks/${res.body.id}`);
      expect(get.body).toEqual(res.body);
    });

    it('stores the inputs it accepts', async () => {
      const open = await stack.factories.template(p.project.id, {
        allowOverrideArgsInTask: true,
        allowOverrideBranchInTask: true,
        allowOverrideInventoryInTask: true,
      });
      const inventory = await stack.factories.inventory(p.project.id);
      const res = await create(p.task_runner, {
        template_id: open.id,
        debug: true,
        dry_run: true,
        diff: true,
        playbook: 'sub/other.yml',
        limit: 'web*:!db',
        arguments: '["--tags","deploy"]',
        git_branch: 'feature/x',
        message: 'ship it',
        commit_hash: 'ABCDEF1234567',
        inventory_id: inventory.id,
        params: { plan: true, auto_approve: false, unknown: 'dropped' },
        // Server-owned fields are ignored.
        id: 999999,
        status: 'success',
        user_id: 1,
        version: '9.9.9',
        start: '2024-01-01T00:00:00Z',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'waiting',
        debug: true,
        dry_run: true,
        diff: true,
        playbook: 'sub/other.yml',
        limit: 'web*:!db',
        arguments: '["--tags","deploy"]',
        git_branch: 'feature/x',
        message: 'ship it',
        commit_hash: 'abcdef1234567',
        inventory_id: inventory.id,
        user_id: await userId(p.task_runner),
        version: null,
        start: null,
      });
      expect(res.body.id).not.toBe(999999);
      const row = await tasks().findOneByOrFail({ id: res.body.id });
      expect(row.params).toEqual({ plan: true, auto_approve: false });
    });

    it('writes "Task N added to queue" (seq 1, last_seq 1), the queued event and an api update batch', async () => {
      const res = await create(p.owner, { template_id: template.id });
      const id = res.body.id;
      const output = await p.guest.get<WireTaskOutput[]>(`${P}/tasks/${id}/output`);
      expect(output.body).toEqual([
        { task_id: id, task: '', time: expect.stringMatching(RFC3339_UTC), output: `Task ${id} added to queue` },
      ]);
      expect((await tasks().findOneByOrFail({ id })).lastSeq).toBe(1);
      const events = await p.guest.get<WireEvent[]>(`${P}/events`);
      expect(events.body.map((e) => e.description)).toContain(`Task ID ${id} queued for running`);
      const batches = await apiBatches(stack.redis, id);
      expect(batches).toHaveLength(1);
      expect(batches[0]).toMatchObject({ source: 'api', taskId: id, projectId: p.project.id, runnerId: 0, gen: 0 });
      expect(batches[0].events).toEqual([
        { type: 'log', seq: 1, time: output.body[0].time, output: `Task ${id} added to queue` },
        { type: 'update', status: 'waiting', start: null, end: null, version: null },
      ]);
    });

    it('is admitted: a BullMQ job with ids only on the default queue', async () => {
      const res = await create(p.owner, { template_id: template.id, secret: '{"token":"abc"}' });
      const job = await taskQueue(stack.redis, 'tasks', queues).getJob(taskJobId(res.body.id));
      expect(job?.data).toEqual({ taskId: res.body.id, projectId: p.project.id });
    });

    it("goes to the inventory's runner tag queue, which wins over the template's", async () => {
      const inventory = await stack.factories.inventory(p.project.id, { runnerTag: 'gpu' });
      const tagged = await stack.factories.template(p.project.id, { inventoryId: inventory.id, runnerTag: 'cpu' });
      const res = await create(p.owner, { template_id: tagged.id });
      expect(await taskQueue(stack.redis, 'tasks-gpu', queues).getJobState(taskJobId(res.body.id))).toBe('waiting');
      expect((await tasks().findOneByOrFail({ id: res.body.id })).runnerTag).toBe('gpu');
      const templateOnly = await stack.factories.template(p.project.id, { runnerTag: 'cpu' });
      const res2 = await create(p.owner, { template_id: templateOnly.id });
      expect(await taskQueue(stack.redis, 'tasks-cpu', queues).getJobState(taskJobId(res2.body.id))).toBe('waiting');
    });
  });

  describe('build and deploy templates', () => {
    it('numbers builds from start_version, incrementing the last number group', async () => {
      const build = await stack.factories.template(p.project.id, {
        type: TemplateType.Build,
        startVersion: 'v2-rc9',
        allowParallelTasks: true,
      });
      const versions: Array<unknown> = [];
      for (let i = 0; i < 3; i++) versions.push((await create(p.owner, { template_id: build.id })).body.version);
      expect(versions).toEqual(['v2-rc9', 'v2-rc10', 'v2-rc11']);
    });

    it('concurrent builds get distinct versions', async () => {
      const build = await stack.factories.template(p.project.id, {
        type: TemplateType.Build,
        startVersion: '1.0.0',
        allowParallelTasks: true,
      });
      const results = await Promise.all(Array.from({ length: 6 }, () => create(p.owner, { template_id: build.id })));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
      expect(new Set(results.map((r) => r.body.version)).size).toBe(6);
    });

    it('deploy tasks take a successful task of their build template as build_task_id', async () => {
      const build = await stack.factories.template(p.project.id, { type: TemplateType.Build, startVersion: '1.0.0' });
      const deploy = await stack.factories.template(p.project.id, {
        type: TemplateType.Deploy,
        buildTemplateId: build.id,
      });
      const good = await stack.factories.task(build, { status: TaskStatus.Success, version: '1.0.4' });
      const failed = await stack.factories.task(build, { status: TaskStatus.Error, version: '1.0.5' });
      const foreign = await stack.factories.task(template, { status: TaskStatus.Success });

      const ok = await create(p.task_runner, { template_id: deploy.id, build_task_id: good.id });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ build_task_id: good.id, version: null });
      for (const [id, pattern] of [
        [failed.id, /^build_task_id must be a successful build task/],
        [foreign.id, /^build_task_id must be a task of the build template/],
        [2_000_000, /^build_task_id /],
      ] as const) {
        const res = await create(p.task_runner, { template_id: deploy.id, build_task_id: id });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(pattern);
      }
      const notDeploy = await create(p.task_runner, { template_id: template.id, build_task_id: good.id });
      expect(notDeploy.status).toBe(400);
      expect(notDeploy.body.error).toMatch(/^build_task_id is only accepted for deploy templates/);
    });
  });

  describe('validation', () => {
    it.each([
      ['template_id missing', { template_id: undefined }, /^template_id is required/],
      ['template_id not a number', { template_id: 'abc' }, /^template_id /],
      ['template_id zero', { template_id: 0 }, /^template_id /],
      ['debug not a boolean', { debug: 'yes' }, /^debug /],
      ['environment not JSON', { environment: 'nope' }, /^environment /],
      ['environment not an object', { environment: '[1]' }, /^environment /],
      ['secret not an object', { secret: '"x"' }, /^secret /],
      ['arguments not an array of strings', { arguments: '{"a":1}' }, /^arguments /],
      ['playbook escaping', { playbook: '../etc/passwd' }, /^playbook /],
      ['playbook absolute', { playbook: '/etc/passwd' }, /^playbook /],
      ['playbook option-like', { playbook: '-e@x' }, /^playbook /],
      ['git_branch option-like', { git_branch: '--upload-pack=x' }, /^git_branch /],
      ['limit with a newline', { limit: 'a\nb' }, /^limit /],
      ['inventory_id negative', { inventory_id: -1 }, /^inventory_id /],
      ['build_task_id a string', { build_task_id: 'x' }, /^build_task_id /],
      ['commit_hash not hex', { commit_hash: 'zz; rm -rf' }, /^commit_hash /],
      ['params not an object', { params: 'plan' }, /^params /],
      ['params.plan not a boolean', { params: { plan: 'yes' } }, /^params\.plan /],
      ['project_id of another project', { project_id: 999999 }, /^project_id /],
    ])('%s -> 400 naming the field', async (_name, body, pattern) => {
      const res = await create(p.owner, { template_id: template.id, ...body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(pattern);
    });

    it('accepts the empty forms the UI sends', async () => {
      const res = await create(p.owner, {
        template_id: template.id,
        project_id: p.project.id,
        environment: '',
        secret: '',
        arguments: null,
        git_branch: '',
        inventory_id: null,
        build_task_id: null,
        params: {},
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ environment: '{}', arguments: null, git_branch: null, inventory_id: null });
    });
  });

  describe('permissions and scope', () => {
    it.each([
      ['owner', 201],
      ['manager', 201],
      ['task_runner', 201],
      ['admin', 201],
      ['guest', 403],
      ['nonMember', 404],
    ] as const)('%s -> %d', async (actor, status) => {
      const before = await tasks().countBy({ templateId: template.id });
      const res = await create(p[actor], { template_id: template.id });
      expect(res.status).toBe(status);
      expect(await tasks().countBy({ templateId: template.id })).toBe(before + (status === 201 ? 1 : 0));
    });

    it('anonymous -> 401', async () => {
      expect((await create(stack.client(), { template_id: template.id })).status).toBe(401);
    });

    it("another project's template or inventory -> 400 naming the field; another project's URL -> 404", async () => {
      const other = await stack.factories.project();
      const otherTemplate = await stack.factories.template(other.id);
      const otherInventory = await stack.factories.inventory(other.id);
      const cross = await create(p.owner, { template_id: otherTemplate.id });
      expect(cross.status).toBe(400);
      expect(cross.body.error).toMatch(/^template_id /);
      const open = await stack.factories.template(p.project.id, { allowOverrideInventoryInTask: true });
      const inv = await create(p.owner, { template_id: open.id, inventory_id: otherInventory.id });
      expect(inv.status).toBe(400);
      expect(inv.body.error).toMatch(/^inventory_id /);
      expect((await create(p.owner, { template_id: otherTemplate.id }, `/api/project/${other.id}`)).status).toBe(404);
      expect(await tasks().countBy({ templateId: otherTemplate.id })).toBe(0);
    });

    it('overrides the template does not allow -> 400', async () => {
      const inventory = await stack.factories.inventory(p.project.id);
      for (const [body, pattern] of [
        [{ arguments: '["-vvv"]' }, /^arguments are not allowed/],
        [{ git_branch: 'dev' }, /^git_branch is not allowed/],
        [{ inventory_id: inventory.id }, /^inventory_id is not allowed/],
      ] as const) {
        const res = await create(p.owner, { template_id: template.id, ...body });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(pattern);
      }
      const same = await create(p.owner, { template_id: template.id, inventory_id: template.inventoryId });
      expect(same.status).toBe(201);
    });

    it('dangerous extra vars: refused for task runners, allowed for managers or when the template allows overrides', async () => {
      const env = { environment: '{"ansible_connection":"local"}' };
      const secret = { secret: '{"ansible_ssh_common_args":"-o ProxyCommand=touch /tmp/pwned"}' };
      for (const body of [env, secret]) {
        const res = await create(p.task_runner, { template_id: template.id, ...body });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(/must not set ansible_/);
        expect((await create(p.manager, { template_id: template.id, ...body })).status).toBe(201);
        expect((await create(p.admin, { template_id: template.id, ...body })).status).toBe(201);
      }
      const open = await stack.factories.template(p.project.id, { allowOverrideArgsInTask: true });
      expect((await create(p.task_runner, { template_id: open.id, ...env })).status).toBe(201);
    });
  });

  describe('survey secrets', () => {
    it('never appear in responses, in Redis (keys, jobs, stream) or in plaintext in the task row', async () => {
      const value = `S3cr3t-${randomBytes(8).toString('hex')}`;
      const res = await create(p.task_runner, { template_id: template.id, secret: JSON.stringify({ db_pw: value }) });
      expect(res.status).toBe(201);
      const id = res.body.id;
      const responses = [
        res.text,
        (await p.guest.get(`${P}/tasks/${id}`)).text,
        (await p.guest.get(`${P}/tasks`)).text,
        (await p.guest.get(`${P}/tasks/last`)).text,
        (await p.guest.get(`${P}/tasks/${id}/output`)).text,
        (await p.guest.get(`${P}/events`)).text,
        (await p.admin.get('/api/tasks')).text,
      ];
      for (const text of responses) expect(text).not.toContain(value);

      await waitFor('the job', async () =>
        (await taskQueue(stack.redis, 'tasks', queues).getJob(taskJobId(id))) ? true : undefined,
      );
      const dump = await dumpRedis(stack.redis.client, stack.redis.prefix);
      expect(dump.size).toBeGreaterThan(0);
      expect([...dump.keys()].some((k) => k.includes(':bull:tasks:'))).toBe(true);
      for (const [key, content] of dump) {
        expect({ key, leaked: content.includes(value) }).toEqual({ key, leaked: false });
      }

      const [raw] = await stack.db.dataSource.query<Array<{ row: string }>>(
        'SELECT row_to_json(t)::text AS row FROM task t WHERE id = $1',
        [id],
      );
      expect(raw.row).not.toContain(value);
      const row = await tasks().findOneByOrFail({ id });
      expect(typeof row.params?.__secret).toBe('string');
      expect(row.params?.__secret).not.toContain(value);
    });

    it('a client cannot plant the reserved secret key through params', async () => {
      const res = await create(p.owner, { template_id: template.id, params: { __secret: 'forged', plan: true } });
      expect(res.status).toBe(201);
      expect((await tasks().findOneByOrFail({ id: res.body.id })).params).toEqual({ plan: true });
    });
  });

  it('the task-queue services logged no warning or error during this file', () => {
    expect(taskQueueProblems()).toEqual([]);
  });
});
