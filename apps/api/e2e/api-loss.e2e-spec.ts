import { TASK_EVENTS_PERSIST_GROUP, TaskStatus, redisKey, runnerAliveKey } from '@semaphore/models';
import { TaskEntity, TaskOutputEntity } from '@semaphore/persistence';
import { startApiStack, type ApiProcess, type ApiStack } from '@semaphore/testing';
import { appendRunnerBatch, logEvents } from './task-events-helpers';
import { waitFor } from './task-queue.e2e-helpers';

/**
 * The api replica that holds the persist lease is killed with SIGKILL while entries it read are still pending (not
 * persisted, not acknowledged): the other replica takes the lease over once it lapses, claims those entries and
 * persists them; no line is lost or doubled and nothing stays pending.
 */
describe('api replica killed mid-stream (SIGKILL of the persist lease holder)', () => {
  let stack: ApiStack;
  let second: ApiProcess;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_NODE_ID: 'replica-a' });
    second = await stack.startReplica({ SEMAPHORE_NODE_ID: 'replica-b' });
  });

  afterAll(async () => {
    await second?.process.stop();
    await stack?.stop();
  });

  it("the survivor persists the dead holder's pending entries and everything after, exactly once", async () => {
    const redis = stack.redis.client;
    const prefix = stack.redis.prefix;
    const stream = redisKey(prefix, 'task-events');
    const leaseKey = redisKey(prefix, 'task-events', 'persist-leader');
    const holder = await waitFor('a lease holder', async () => (await redis.get(leaseKey)) ?? undefined);
    const [victim, survivor] = holder === 'replica-a' ? [stack.api, second] : [second, stack.api];
    victim.process.signal('SIGKILL');
    await victim.process.waitFor(() => (victim.process.running ? undefined : true), 10_000, 'the kill');

    const template = await stack.factories.template((await stack.factories.project()).id);
    const runner = await stack.factories.runner();
    await redis.set(redisKey(prefix, ...runnerAliveKey(runner.id)), '{}', 'PX', 600_000);
    const task = await stack.factories.task(template, {
      status: TaskStatus.Starting,
      runnerId: runner.id,
      claimGeneration: 1,
      claimedAt: new Date(),
    });
    // What the holder had read when it died: delivered to its consumer, never acknowledged.
    await appendRunnerBatch(redis, prefix, task, [
      { type: 'status', status: TaskStatus.Running, time: new Date().toISOString() },
      ...logEvents(1, 10),
    ]);
    const read = (await redis.xreadgroup('GROUP', TASK_EVENTS_PERSIST_GROUP, holder, 'STREAMS', stream, '>')) as Array<
      [string, unknown[]]
    > | null;
    expect(read?.[0]?.[1]).toHaveLength(1);
    // And what runners write afterwards.
    await appendRunnerBatch(redis, prefix, task, [
      ...logEvents(11, 20),
      { type: 'status', status: TaskStatus.Success, time: new Date().toISOString() },
    ]);

    const tasks = stack.db.dataSource.getRepository(TaskEntity);
    const row = await waitFor(
      'the task persisted as finished',
      async () => {
        const r = await tasks.findOneByOrFail({ id: task.id });
        return r.status === TaskStatus.Success ? r : undefined;
      },
      45_000,
    );
    expect(row.lastSeq).toBe(20);
    const output = await stack.db.dataSource
      .getRepository(TaskOutputEntity)
      .find({ where: { taskId: task.id }, order: { seq: 'ASC' } });
    expect(output.map((o) => o.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Entries are acknowledged right after the batch that holds them commits, so the row can be seen a moment
    // before the acknowledgement lands; nothing may stay pending after that.
    await waitFor('no entry left pending', async () => {
      const [pending] = (await redis.xpending(stream, TASK_EVENTS_PERSIST_GROUP)) as [number];
      return pending === 0 ? true : undefined;
    });
    expect(await redis.get(leaseKey)).toBe(survivor === stack.api ? 'replica-a' : 'replica-b');
  }, 90_000);
});
