import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { taskJobId, TaskStatus, type WireEvent } from '@semaphore/models';
import { TaskEntity, type TemplateEntity } from '@semaphore/persistence';
import {
  startApiStack,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
  type ProjectActors,
} from '@semaphore/testing';
import { adminClient, type BashProject, createBashProject, E2E_REGISTRATION_TOKEN, startRunner } from './task-fixtures';
import { taskQueue, waitFor } from './task-queue.e2e-helpers';

type WireTask = Record<string, unknown> & {
  id: number;
  status: string;
  retry_of_task_id: number | null;
  start: string | null;
  end: string | null;
};
type ErrorBody = { error: string };

const RUNNER_TAG = 'alpha';

/**
 * Retries and paused queues with the real processes: an api and a runner that consumes `tasks` and `tasks-alpha`
 * (one task at a time), running bash scripts from a local git repository.
 */
describe('task retry and paused queues: api + runner', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let admin: ApiClient;
  let project: BashProject;
  let fifo: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-retry-'));
    fifo = join(root, 'release');
    execFileSync('mkfifo', [fifo]);
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
      env: { SEMAPHORE_RUNNER_TAGS: RUNNER_TAG },
    });
    admin = await adminClient(stack.db.dataSource, stack.baseUrl);
    project = await createBashProject(
      admin,
      root,
      'retry',
      {
        // Succeeds only with the right survey secret; prints a variable and its arguments.
        'check.sh': [
          'set -e',
          "python3 -c \"import json,os,sys;v=json.load(open(os.environ['SEMAPHORE_EXTRA_VARS_FILE']));print('region=' + v.get('region', ''));sys.exit(0 if v.get('pw') == 'right' else 3)\"",
          'echo "args: $*"',
        ].join('\n'),
        'ok.sh': 'echo ok',
        'fail.sh': 'echo failing; exit 4',
        'block.sh': 'read -t 30 _ < "$RELEASE_FIFO" || true; echo released',
      },
      { RELEASE_FIFO: fifo },
    );
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const P = () => project.projectPath;
  const get = async (id: number) => (await admin.get<WireTask>(`${P()}/tasks/${id}`)).body;
  const row = (id: number) => stack.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id });

  async function create(templateId: number, body: object = {}): Promise<WireTask> {
    const res = await admin.post<WireTask>(`${P()}/tasks`, { template_id: templateId, ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  function finished(id: number, timeoutMs = 60_000): Promise<WireTask> {
    return waitFor(
      `task ${id} to finish`,
      async () => {
        const task = await get(id);
        return ['success', 'error', 'stopped'].includes(task.status) ? task : undefined;
      },
      timeoutMs,
    );
  }

  async function output(id: number): Promise<string[]> {
    return (await admin.get<Array<{ output: string }>>(`${P()}/tasks/${id}/output`)).body.map((l) => l.output);
  }

  it('a retry copies the parameters, links the original, needs the survey secret again, and runs', async () => {
    const templateId = await project.template('Check', 'check.sh', {
      allow_override_args_in_task: true,
      survey_vars: [{ name: 'pw', title: 'Password', type: 'secret', required: true, description: '', values: [] }],
    });
    const original = await create(templateId, {
      environment: '{"region":"eu"}',
      secret: '{"pw":"wrong"}',
      arguments: '["first-arg"]',
      message: 'deploy 1',
      debug: true,
      limit: 'web',
    });
    expect((await finished(original.id)).status).toBe('error');

    const missing = await admin.post<ErrorBody>(`${P()}/tasks/${original.id}/retry`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^secret is required: .*\bpw\b/);
    const incomplete = await admin.post<ErrorBody>(`${P()}/tasks/${original.id}/retry`, { secret: '{"other":"x"}' });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error).toMatch(/^secret must set pw/);

    const retry = await admin.post<WireTask>(`${P()}/tasks/${original.id}/retry`, { secret: '{"pw":"right"}' });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({
      template_id: templateId,
      status: 'waiting',
      retry_of_task_id: original.id,
      environment: '{"region":"eu"}',
      arguments: '["first-arg"]',
      message: 'deploy 1',
      debug: true,
      limit: 'web',
      secret: '{}',
    });
    expect(retry.body.id).toBeGreaterThan(original.id);
    const done = await finished(retry.body.id);
    expect(done.status).toBe('success');
    expect(await output(retry.body.id)).toEqual(expect.arrayContaining(['region=eu', 'args: first-arg']));
    expect((await row(retry.body.id)).params?.__secret).toBeUndefined();
    // The original is untouched.
    expect((await get(original.id)).status).toBe('error');
  });

  it('a task that has not finished cannot be retried (400); once it has, it can', async () => {
    const templateId = await project.template('Block', 'block.sh');
    const task = await create(templateId);
    await waitFor('the task to run', async () => ((await get(task.id)).status === 'running' ? true : undefined));
    const refused = await admin.post<ErrorBody>(`${P()}/tasks/${task.id}/retry`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe(
      `Task ${task.id} has not finished (status running): only finished tasks (success, error, stopped, rejected) can be retried`,
    );
    writeFileSync(fifo, 'go\n');
    expect((await finished(task.id)).status).toBe('success');
    const retry = await admin.post<WireTask>(`${P()}/tasks/${task.id}/retry`, {});
    expect(retry.status).toBe(201);
    await waitFor('the retry to run', async () => ((await get(retry.body.id)).status === 'running' ? true : undefined));
    writeFileSync(fifo, 'go\n');
    expect((await finished(retry.body.id)).status).toBe('success');
  });

  it('a paused queue keeps its tasks queued while another queue keeps running; resume runs them in order', async () => {
    const tagged = await project.template('Tagged', 'ok.sh', { runner_tag: RUNNER_TAG });
    const untagged = await project.template('Untagged', 'ok.sh');
    expect((await admin.post(`/api/queues/${RUNNER_TAG}/pause`, {})).status).toBe(204);
    const held = [await create(tagged), await create(tagged)];
    const free = await create(untagged);
    expect((await finished(free.id)).status).toBe('success');
    for (const t of held) expect((await get(t.id)).status).toBe('waiting');
    const listed = (
      await admin.get<Array<{ id: number; position: number; paused: boolean }>>(`/api/queues/${RUNNER_TAG}/tasks`)
    ).body;
    expect(listed.map((t) => [t.position, t.id, t.paused])).toEqual([
      [1, held[0].id, true],
      [2, held[1].id, true],
    ]);

    expect((await admin.post(`/api/queues/${RUNNER_TAG}/resume`, {})).status).toBe(204);
    const [first, second] = [await finished(held[0].id), await finished(held[1].id)];
    expect([first.status, second.status]).toEqual(['success', 'success']);
    // One task of a template at a time, in FIFO order: the second started after the first ended.
    expect(Date.parse(second.start ?? '')).toBeGreaterThanOrEqual(Date.parse(first.end ?? ''));
  });

  it('bulk retry retries a real failure once; the next call skips it and retries only the failed retry', async () => {
    const templateId = await project.template('Fail', 'fail.sh');
    const original = await create(templateId);
    expect((await finished(original.id)).status).toBe('error');
    const first = await admin.post<{ tasks: WireTask[]; skipped: unknown[] }>(`${P()}/queues/retry-failed`, {
      template_id: templateId,
    });
    expect(first.status).toBe(200);
    expect(first.body.tasks.map((t) => t.retry_of_task_id)).toEqual([original.id]);
    const retryId = first.body.tasks[0].id;
    expect((await finished(retryId)).status).toBe('error');
    expect(await output(retryId)).toContain('failing');

    const second = await admin.post<{ tasks: WireTask[]; skipped: Array<{ task_id: number; reason: string }> }>(
      `${P()}/queues/retry-failed`,
      { template_id: templateId },
    );
    expect(second.body.skipped).toEqual([{ task_id: original.id, reason: `already retried by task ${retryId}` }]);
    expect(second.body.tasks.map((t) => t.retry_of_task_id)).toEqual([retryId]);
    expect((await finished(second.body.tasks[0].id)).status).toBe('error');
  });

  describe('the rules of POST P/tasks/{id}/retry (a queue no runner consumes)', () => {
    const TAG = 'no-runner';
    let p: ProjectActors;
    let PP: string;
    const opened: Queue[] = [];

    beforeAll(async () => {
      p = await stack.projectWithMembers();
      PP = `/api/project/${p.project.id}`;
    });

    afterAll(async () => {
      await Promise.all(opened.map((q) => q.close()));
    });

    const tpl = (over: Partial<TemplateEntity> = {}, projectId = p.project.id) =>
      stack.factories.template(projectId, { runnerTag: TAG, ...over });
    const ended = (template: TemplateEntity, over: Partial<TaskEntity> = {}) =>
      stack.factories.task(template, { status: TaskStatus.Error, runnerTag: TAG, end: new Date(), ...over });
    const jobState = (id: number) => taskQueue(stack.redis, `tasks-${TAG}`, opened).getJobState(taskJobId(id));
    const retry = (client: ApiClient, id: number, body: object = {}) =>
      client.post<WireTask & ErrorBody>(`${PP}/tasks/${id}/retry`, body);

    it('goes through admission and the normal creation path: it waits behind the running task of its template', async () => {
      const template = await tpl();
      const original = await ended(template);
      const busy = await p.owner.post<WireTask>(`${PP}/tasks`, { template_id: template.id });
      expect(await jobState(busy.body.id)).toBe('waiting');

      const res = await retry(p.task_runner, original.id);
      expect(res.status).toBe(201);
      expect(res.body.retry_of_task_id).toBe(original.id);
      expect(await jobState(res.body.id)).toBe('unknown');
      const events = await p.guest.get<WireEvent[]>(`${PP}/events`);
      expect(events.body.map((e) => e.description)).toContain(`Task ID ${res.body.id} queued for running`);
      const lines = await p.guest.get<Array<{ output: string }>>(`${PP}/tasks/${res.body.id}/output`);
      expect(lines.body.map((l) => l.output)).toEqual([`Task ${res.body.id} added to queue`]);

      expect((await p.owner.post(`${PP}/tasks/${busy.body.id}/stop`, {})).status).toBe(204);
      expect(await jobState(res.body.id)).toBe('waiting');
    });

    it("applies the template's current rules and the caller's rights", async () => {
      const template = await tpl({ allowOverrideArgsInTask: false });
      const withArgs = await ended(template, { arguments: '["x"]' });
      const noArgs = await retry(p.owner, withArgs.id);
      expect(noArgs.status).toBe(400);
      expect(noArgs.body.error).toMatch(/^arguments are not allowed/);

      const dangerous = await ended(template, { environment: '{"ansible_connection":"local"}' });
      const runner = await retry(p.task_runner, dangerous.id);
      expect(runner.status).toBe(400);
      expect(runner.body.error).toMatch(/^environment must not set ansible_connection/);
      expect((await retry(p.manager, dangerous.id)).status).toBe(201);
    });

    it.each([
      ['guest', 403],
      ['nonMember', 404],
      ['task_runner', 201],
      ['admin', 201],
    ] as const)('%s -> %d', async (actor, status) => {
      const original = await ended(await tpl());
      const before = await stack.db.dataSource.getRepository(TaskEntity).countBy({ retryOfTaskId: original.id });
      expect((await retry(p[actor], original.id)).status).toBe(status);
      const after = await stack.db.dataSource.getRepository(TaskEntity).countBy({ retryOfTaskId: original.id });
      expect(after - before).toBe(status === 201 ? 1 : 0);
    });

    it('retries stopped, rejected and successful tasks; refuses unfinished ones, bad ids and bad secrets', async () => {
      const template = await tpl({ allowParallelTasks: true });
      for (const status of [TaskStatus.Stopped, TaskStatus.Rejected, TaskStatus.Success]) {
        expect((await retry(p.owner, (await ended(template, { status })).id)).status).toBe(201);
      }
      for (const status of [TaskStatus.Waiting, TaskStatus.Starting, TaskStatus.WaitingConfirmation]) {
        const res = await retry(p.owner, (await ended(template, { status, end: null })).id);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(new RegExp(`has not finished \\(status ${status}\\)`));
      }
      const original = await ended(template);
      for (const secret of ['{"pw":', '[1]', 'plain', 7]) {
        const res = await retry(p.owner, original.id, { secret });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(/^secret /);
      }
      for (const id of ['abc', '-1', '0', '99999999999']) {
        expect((await p.owner.post(`${PP}/tasks/${id}/retry`, {})).status).toBe(400);
      }
      expect((await retry(p.owner, 2_000_000_000)).status).toBe(404);
      const foreign = await ended(await tpl({}, (await stack.factories.project()).id));
      expect((await retry(p.owner, foreign.id)).status).toBe(404);
      expect(await stack.db.dataSource.getRepository(TaskEntity).countBy({ retryOfTaskId: foreign.id })).toBe(0);
    });

    it('seals a given secret for the run and never returns it', async () => {
      const original = await ended(await tpl());
      const res = await retry(p.owner, original.id, { secret: '{"pw":"s3cret-value"}' });
      expect(res.status).toBe(201);
      expect(res.text).not.toContain('s3cret-value');
      expect(res.body.secret).toBe('{}');
      const stored = await row(res.body.id);
      expect(typeof stored.params?.__secret).toBe('string');
      expect(JSON.stringify(stored.params)).not.toContain('s3cret-value');
    });
  });
});
