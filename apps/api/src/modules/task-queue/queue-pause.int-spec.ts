import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix, type TaskJobData, taskJobId } from '@semaphore/models';
import { createTestRedis, type TestRedis } from '@semaphore/testing';
import { pauseEntry } from './queue-pause';
import { TaskDispatcher } from './task-dispatcher';
import { type TaskRegistration, TaskStateStore } from './task-state.store';

function reg(taskId: number, over: Partial<TaskRegistration> = {}): TaskRegistration {
  return {
    taskId,
    projectId: 1,
    templateId: taskId,
    allowParallel: false,
    projectMaxParallel: 0,
    runnerTag: null,
    ...over,
  };
}

const ids = (list: Array<{ taskId: number }>) => list.map((t) => t.taskId);

describe('paused queues: admission and dispatch (real Redis, BullMQ)', () => {
  let redis: TestRedis;
  let store: TaskStateStore;
  let dispatcher: TaskDispatcher;
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    redis = await createTestRedis();
    store = new TaskStateStore(redis.client, redis.prefix);
    dispatcher = new TaskDispatcher(redis.client, redis.prefix, () => undefined, store);
  });

  afterEach(async () => {
    await dispatcher.close();
    for (const close of closers.splice(0).reverse()) await close();
    await redis.cleanup();
  });

  /** The state of a task's job in the queue of `tag`. */
  const jobState = (tag: string | null, taskId: number) => dispatcher.queue(tag).getJobState(taskJobId(taskId));

  /** A gpu task 1, admitted and released with a job, as admission leaves it. */
  async function releasedGpuTask() {
    await store.register(reg(1, { runnerTag: 'gpu' }));
    await dispatcher.add(await store.admit(0));
    return { taskId: 1, projectId: 1, runnerTag: 'gpu' };
  }

  /** Another api replica: its own connection, store and dispatcher. */
  function replica(): { store: TaskStateStore; dispatcher: TaskDispatcher } {
    const client = new Redis(redis.url);
    const s = new TaskStateStore(client, redis.prefix);
    const d = new TaskDispatcher(client, redis.prefix, () => undefined, s);
    closers.push(
      () => client.quit(),
      () => d.close(),
    );
    return { store: s, dispatcher: d };
  }

  it('admission passes over a paused queue: its tasks keep their place and take no slot from other queues', async () => {
    await store.register(reg(1, { runnerTag: 'gpu' }));
    await store.register(reg(2, { runnerTag: 'gpu' }));
    await store.register(reg(3));
    await store.register(reg(4, { runnerTag: 'cpu' }));
    expect(await store.pause(pauseEntry('gpu', null))).toBe(true);
    expect(await store.pause(pauseEntry('gpu', null))).toBe(false);
    // Global limit 2: the older gpu tasks would have taken both slots.
    expect(ids(await store.admit(2))).toEqual([3, 4]);
    expect(await store.snapshot()).toEqual({ waiting: [1, 2], active: [3, 4] });
    await store.release(3);
    await store.release(4);
    expect(await store.admit(2)).toEqual([]);
    expect(await store.resume(pauseEntry('gpu', null))).toBe(true);
    expect(ids(await store.admit(2))).toEqual([1, 2]);
  });

  it("a project pause holds only that project's tasks in that queue", async () => {
    await store.register(reg(1, { projectId: 7, runnerTag: 'gpu' }));
    await store.register(reg(2, { projectId: 8, runnerTag: 'gpu' }));
    await store.register(reg(3, { projectId: 7 }));
    await store.pause(pauseEntry('gpu', 7));
    expect(ids(await store.admit(0))).toEqual([2, 3]);
    expect((await store.snapshot()).waiting).toEqual([1]);
    expect(await store.pausedEntries()).toEqual(['tasks-gpu:7']);
  });

  it('a held task does not block the later tasks of its template in another queue', async () => {
    await store.register(reg(1, { templateId: 5, allowParallel: true, runnerTag: 'gpu' }));
    await store.register(reg(2, { templateId: 5, allowParallel: true }));
    await store.pause(pauseEntry('gpu', null));
    expect(ids(await store.admit(0))).toEqual([2]);
  });

  it('holdBackIfPaused puts an admitted task of a paused queue back in its FIFO place, once', async () => {
    await store.register(reg(1, { runnerTag: 'gpu' }));
    await store.register(reg(2, { runnerTag: 'gpu', templateId: 1 }));
    expect(ids(await store.admit(0))).toEqual([1]);
    expect(await store.holdBackIfPaused(1)).toBe(false);
    await store.pause(pauseEntry('gpu', 1));
    expect(await store.holdBackIfPaused(1)).toBe(true);
    expect(await store.snapshot()).toEqual({ waiting: [1, 2], active: [] });
    // Not admitted any more (or never registered): still "add no job".
    expect(await store.holdBackIfPaused(1)).toBe(true);
    expect(await store.holdBackIfPaused(99)).toBe(true);
    await store.resume(pauseEntry('gpu', 1));
    // The template slot was freed: the first task of the template goes first again.
    expect(ids(await store.admit(0))).toEqual([1]);
  });

  it('the dispatcher adds no job for a task whose queue was paused after its admission', async () => {
    await store.register(reg(1, { runnerTag: 'gpu' }));
    await store.register(reg(2));
    const admitted = await store.admit(0);
    await replica().store.pause(pauseEntry('gpu', null));
    await dispatcher.add(admitted);
    expect(await jobState('gpu', 1)).toBe('unknown');
    expect(await jobState(null, 2)).toBe('waiting');
    expect(await store.snapshot()).toEqual({ waiting: [1], active: [2] });
  });

  it('ensureJob (the sweep) holds back instead of re-adding the job of a paused queue', async () => {
    await store.register(reg(1, { runnerTag: 'gpu' }));
    await store.admit(0);
    await store.pause(pauseEntry('gpu', null));
    expect(await dispatcher.ensureJob({ taskId: 1, projectId: 1, runnerTag: 'gpu' })).toBe(false);
    expect(await jobState('gpu', 1)).toBe('unknown');
    expect((await store.snapshot()).waiting).toEqual([1]);
  });

  it('withdraw takes back a job no worker has taken, and puts the task back in the waiting list', async () => {
    const target = await releasedGpuTask();
    expect(await jobState('gpu', 1)).toBe('waiting');
    await store.pause(pauseEntry('gpu', null));
    expect(await dispatcher.withdraw(target)).toBe(true);
    expect(await jobState('gpu', 1)).toBe('unknown');
    expect(await store.snapshot()).toEqual({ waiting: [1], active: [] });
    // Nothing left to take back.
    expect(await dispatcher.withdraw(target)).toBe(false);
    // Resume: admission releases it again with a fresh job.
    await store.resume(pauseEntry('gpu', null));
    await dispatcher.add(await store.admit(0));
    expect(await jobState('gpu', 1)).toBe('waiting');
  });

  it('withdraw leaves alone a job a worker holds (the task runs)', async () => {
    const target = await releasedGpuTask();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    let finish: () => void = () => undefined;
    const taken = new Promise<void>((resolveTaken) => {
      const worker = new Worker<TaskJobData>(
        'tasks-gpu',
        () =>
          new Promise<void>((resolve) => {
            finish = resolve;
            resolveTaken();
          }),
        { connection, prefix: bullPrefix(redis.prefix) },
      );
      closers.push(
        () => connection.quit(),
        async () => {
          finish();
          await worker.close();
        },
      );
    });
    await taken;
    await store.pause(pauseEntry('gpu', null));
    expect(await dispatcher.withdraw(target)).toBe(false);
    expect(await jobState('gpu', 1)).toBe('active');
    expect((await store.snapshot()).active).toEqual([1]);
  });

  it('withdraw re-adds the job when the queue was resumed in between', async () => {
    const target = await releasedGpuTask();
    // Not paused: the job is taken back, found not held, and added again.
    expect(await dispatcher.withdraw(target)).toBe(false);
    expect(await jobState('gpu', 1)).toBe('waiting');
    expect((await store.snapshot()).active).toEqual([1]);
  });

  it("a pause made through one replica holds back another replica's admissions", async () => {
    const other = replica();
    await store.pause(pauseEntry(null, null));
    await other.store.register(reg(1));
    await other.store.register(reg(2, { runnerTag: 'x' }));
    expect(ids(await other.store.admit(0))).toEqual([2]);
    expect(await other.store.pausedEntries()).toEqual(['tasks']);
  });
});
