import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import {
  AppId,
  RUNNER_CONTROL_CHANNEL,
  TaskStatus,
  bullPrefix,
  redisKey,
  taskControlKey,
  taskJobId,
  type RunnerControlMessage,
  type TaskEvent,
} from '@semaphore/models';
import {
  createGitRepository,
  processCommandLines,
  spawnRunnerProcess,
  startApiStack,
  type ApiStack,
  type ManagedProcess,
} from '@semaphore/testing';
import { StreamWatcher, enqueueTask } from './runner-e2e-helpers';

// Row types come from the factories: the runner app may not import database code (lint boundary).
type Factories = ApiStack['factories'];
type TemplateRow = Awaited<ReturnType<Factories['template']>>;
type TaskRow = Awaited<ReturnType<Factories['task']>>;

const REGISTRATION_TOKEN = 'runner-tasks-registration-token-7';

const SCRIPTS = {
  'run.sh': [
    'echo "hello from $GREETING"',
    'for i in 1 2 3 4 5; do echo "line $i"; done',
    'test -s "$SEMAPHORE_EXTRA_VARS_FILE" && echo "extra vars ok"',
    'env | grep -c REDIS_URL || true',
  ].join('\n'),
  'sleep.sh': 'echo started\nsleep "$1"\necho "should not be reached"\n',
  'short.sh': 'echo started\nsleep 1\necho done\n',
};

describe('runner process: running tasks from the queue', () => {
  let stack: ApiStack;
  let dir: string;
  let repoUrl: string;
  let watcher: StreamWatcher;
  let queueEvents: QueueEvents;
  let eventsConnection: Redis;
  let runner: ManagedProcess;
  let runnerId: number;

  const startRunner = async (name: string) => {
    const proc = spawnRunnerProcess({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      env: {
        SEMAPHORE_RUNNER_NAME: name,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(dir, `${name}.token`),
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: '2',
        SEMAPHORE_TMP_PATH: join(dir, `${name}-tmp`),
        SEMAPHORE_TASK_KILL_GRACE_SECONDS: '2',
      },
    });
    const ready = await proc.waitForLog((l) => l.msg === 'runner ready');
    return { proc, id: ready.runnerId as number };
  };

  async function template(playbook: string, args: string[] = []): Promise<TemplateRow> {
    const project = await stack.factories.project();
    const repository = await stack.factories.repository(project.id, { gitUrl: repoUrl, gitBranch: 'main' });
    const environment = await stack.factories.environment(project.id, { json: '{}', env: '{"GREETING":"e2e"}' });
    return stack.factories.template(project.id, {
      app: AppId.Bash,
      playbook,
      arguments: JSON.stringify(args),
      repositoryId: repository.id,
      inventoryId: null,
      environmentId: environment.id,
    });
  }

  async function queuedTask(tpl: TemplateRow, over: Partial<TaskRow> = {}): Promise<TaskRow> {
    const task = await stack.factories.task(tpl, { lastSeq: 1, ...over });
    await stack.factories.taskOutput(task.id, 1, { output: `Task ${task.id} added to queue` });
    await enqueueTask(stack.redis.client, stack.redis.prefix, { taskId: task.id, projectId: task.projectId });
    return task;
  }

  const logs = (events: TaskEvent[]) => events.flatMap((e) => (e.type === 'log' ? [e] : []));
  const outputs = (taskId: number) => logs(watcher.events(taskId)).map((e) => e.output);
  const sleepersOf = (marker: string) => processCommandLines().filter((c) => c.includes(`sleep ${marker}`));
  const completed = (taskId: number) =>
    new Promise<void>((resolve) => {
      const onCompleted = ({ jobId }: { jobId: string }) => {
        if (jobId !== taskJobId(taskId)) return;
        queueEvents.off('completed', onCompleted);
        resolve();
      };
      queueEvents.on('completed', onCompleted);
    });

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'semtest-runner-tasks-'));
    repoUrl = createGitRepository(join(dir, 'repo'), SCRIPTS);
    watcher = new StreamWatcher(stack.redis.client, stack.redis.prefix);
    queueEvents = new QueueEvents('tasks', {
      connection: (eventsConnection = new Redis(stack.redis.url, { maxRetriesPerRequest: null })),
      prefix: bullPrefix(stack.redis.prefix),
    });
    await queueEvents.waitUntilReady();
    ({ proc: runner, id: runnerId } = await startRunner('main'));
  });

  afterAll(async () => {
    await runner?.stop();
    await queueEvents?.close();
    eventsConnection?.disconnect();
    await watcher?.close();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('claims a task, streams its lines in order from firstSeq, reports success and completes the job', async () => {
    const tpl = await template('run.sh');
    const task = await queuedTask(tpl);
    const jobDone = completed(task.id);

    const final = await watcher.finalStatus(task.id);
    expect(final).toMatchObject({ type: 'status', status: TaskStatus.Success });
    await jobDone;

    const batches = watcher.runnerBatches(task.id);
    expect(batches.every((b) => b.runnerId === runnerId && b.gen === 1 && b.projectId === task.projectId)).toBe(true);
    expect(batches.every((b) => b.templateId === tpl.id)).toBe(true);
    const events = watcher.events(task.id);
    expect(events[0]).toMatchObject({ type: 'status', status: TaskStatus.Running });
    expect(events.at(-1)).toBe(final);
    const seqs = logs(events).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_s, i) => i + 2));
    expect(logs(events).every((e) => !Number.isNaN(Date.parse(e.time)))).toBe(true);
    expect(outputs(task.id)).toEqual(
      expect.arrayContaining(['hello from e2e', 'line 1', 'line 5', 'extra vars ok', '0']),
    );
    expect(outputs(task.id).indexOf('line 1')).toBeLessThan(outputs(task.id).indexOf('line 5'));
    expect(events.find((e) => e.type === 'commit')).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{40}$/) });

    const [row] = (await stack.db.dataSource.query('SELECT runner_id, claim_generation FROM task WHERE id = $1', [
      task.id,
    ])) as Array<Record<string, unknown>>;
    expect(row).toEqual({ runner_id: runnerId, claim_generation: 1 });
    const finished = await runner.waitForLog((l) => l.msg === 'task finished' && l.taskId === task.id);
    expect(finished).toMatchObject({ runnerId, status: 'success' });
  });

  it('completes the job of a task that is no longer waiting without running anything', async () => {
    const tpl = await template('run.sh');
    const task = await queuedTask(tpl, { status: TaskStatus.Stopped });
    const jobDone = completed(task.id);
    await jobDone;
    const line = await runner.waitForLog((l) => l.msg === 'task not claimable: nothing to run' && l.taskId === task.id);
    expect(line).toMatchObject({ runnerId, reason: expect.stringMatching(/not waiting/) });
    expect(watcher.runnerBatches(task.id)).toEqual([]);
  });

  it('a stop message on the control channel kills the whole task process group: stopped, nothing left', async () => {
    const marker = '987.651';
    const task = await queuedTask(await template('sleep.sh', [marker]));
    await watcher.waitFor(() => outputs(task.id).find((o) => o === 'started'), 20_000, 'the task to start');
    await runner.waitFor(() => (sleepersOf(marker).length ? true : undefined), 5_000, 'the sleep process');

    const stop: RunnerControlMessage = { type: 'stop', taskId: task.id, force: false };
    await stack.redis.client.publish(redisKey(stack.redis.prefix, RUNNER_CONTROL_CHANNEL), JSON.stringify(stop));

    expect(await watcher.finalStatus(task.id)).toMatchObject({ status: TaskStatus.Stopped });
    expect(sleepersOf(marker)).toEqual([]);
    expect(outputs(task.id)).toContain('Stopping the task (requested by a user)');
    expect(outputs(task.id)).not.toContain('should not be reached');
  });

  it('a stop written only to the durable control key is picked up by the heartbeat', async () => {
    const marker = '987.652';
    const task = await queuedTask(await template('sleep.sh', [marker]));
    await watcher.waitFor(() => outputs(task.id).find((o) => o === 'started'), 20_000, 'the task to start');
    await stack.redis.client.set(redisKey(stack.redis.prefix, ...taskControlKey(task.id)), 'force-stop', 'EX', 60);

    expect(await watcher.finalStatus(task.id, 15_000)).toMatchObject({ status: TaskStatus.Stopped });
    expect(sleepersOf(marker)).toEqual([]);
    expect(outputs(task.id)).toContain('Stopping the task (force stop requested by a user)');
  });

  describe('shutdown', () => {
    beforeAll(async () => {
      // Only the runners started below consume the queue now.
      expect(await runner.stop()).toEqual({ code: 0, signal: null });
    });

    it('SIGTERM lets a running task finish, then exits 0', async () => {
      const drained = await startRunner('drained');
      const task = await queuedTask(await template('short.sh'));
      await watcher.waitFor(() => outputs(task.id).find((o) => o === 'started'), 20_000, 'the task to start');
      drained.proc.signal('SIGTERM');
      expect(await watcher.finalStatus(task.id)).toMatchObject({ status: TaskStatus.Success });
      expect(outputs(task.id)).toContain('done');
      expect(await drained.proc.exited).toEqual({ code: 0, signal: null });
    });

    it('a second SIGTERM stops the running task (stopped, no process left), then exits 0', async () => {
      const marker = '987.653';
      const impatient = await startRunner('impatient');
      const task = await queuedTask(await template('sleep.sh', [marker]));
      await watcher.waitFor(() => outputs(task.id).find((o) => o === 'started'), 20_000, 'the task to start');
      impatient.proc.signal('SIGTERM');
      await impatient.proc.waitForLog((l) => l.msg === 'draining: no new tasks');
      impatient.proc.signal('SIGTERM');
      expect(await watcher.finalStatus(task.id)).toMatchObject({ status: TaskStatus.Stopped });
      expect(outputs(task.id)).toContain('Stopping the task: the runner is shutting down');
      expect(await impatient.proc.exited).toEqual({ code: 0, signal: null });
      expect(sleepersOf(marker)).toEqual([]);
    });
  });
});
