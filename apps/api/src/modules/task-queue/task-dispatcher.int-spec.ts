import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix, type TaskJobData, taskJobId } from '@semaphore/models';
import { createTestRedis, type TestRedis } from '@semaphore/testing';
import { TaskDispatcher } from './task-dispatcher';

describe('TaskDispatcher (real Redis, BullMQ)', () => {
  let redis: TestRedis;
  let dispatcher: TaskDispatcher;
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    redis = await createTestRedis();
    dispatcher = new TaskDispatcher(redis.client, redis.prefix);
  });

  afterEach(async () => {
    await dispatcher.close();
    for (const close of closers.splice(0).reverse()) await close();
    await redis.cleanup();
  });

  function queue(name: string): Queue<TaskJobData> {
    const q = new Queue<TaskJobData>(name, { connection: redis.client, prefix: bullPrefix(redis.prefix) });
    closers.push(() => q.close());
    return q;
  }

  it('adds one job per task to its tag queue, with ids only, under the bull prefix', async () => {
    await dispatcher.add([
      { taskId: 1, projectId: 10, runnerTag: null },
      { taskId: 2, projectId: 10, runnerTag: 'gpu' },
    ]);
    const job = await queue('tasks').getJob(taskJobId(1));
    expect(job?.data).toEqual({ taskId: 1, projectId: 10 });
    expect(Object.keys(job?.data ?? {}).sort()).toEqual(['projectId', 'taskId']);
    expect(job?.opts.removeOnComplete).toBeTruthy();
    expect(job?.opts.removeOnFail).toBeTruthy();
    expect((await queue('tasks-gpu').getJob(taskJobId(2)))?.data).toEqual({ taskId: 2, projectId: 10 });
    expect(await queue('tasks').getJob(taskJobId(2))).toBeUndefined();
    const [, keys] = await redis.client.scan('0', 'MATCH', `${redis.prefix}:bull:tasks:*`, 'COUNT', 1000);
    expect(keys.length).toBeGreaterThan(0);
  });

  it('adding the same task twice keeps one job', async () => {
    await dispatcher.add([{ taskId: 5, projectId: 1, runnerTag: null }]);
    await dispatcher.add([{ taskId: 5, projectId: 1, runnerTag: null }]);
    expect(await queue('tasks').getWaitingCount()).toBe(1);
  });

  it('ensureJob adds a missing job, keeps a live one and replaces a completed one', async () => {
    const target = { taskId: 7, projectId: 1, runnerTag: null };
    expect(await dispatcher.ensureJob(target)).toBe(true);
    expect(await dispatcher.ensureJob(target)).toBe(false);
    // A worker completes the job (e.g. its claim was refused), then the task is offered again.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    closers.push(() => connection.quit());
    const worker = new Worker<TaskJobData>('tasks', async () => undefined, {
      connection,
      prefix: bullPrefix(redis.prefix),
    });
    await new Promise<void>((resolve) => worker.on('completed', () => resolve()));
    await worker.close();
    expect(await queue('tasks').getJobState(taskJobId(7))).toBe('completed');
    expect(await dispatcher.ensureJob(target)).toBe(true);
    expect(await queue('tasks').getJobState(taskJobId(7))).toBe('waiting');
  });

  it('remove drops a waiting job; removeFinishedJob leaves a waiting one alone', async () => {
    await dispatcher.add([{ taskId: 8, projectId: 1, runnerTag: 'x' }]);
    await dispatcher.removeFinishedJob(8, 'x');
    expect(await queue('tasks-x').getJobState(taskJobId(8))).toBe('waiting');
    await dispatcher.remove(8, 'x');
    expect(await queue('tasks-x').getJobState(taskJobId(8))).toBe('unknown');
  });
});
