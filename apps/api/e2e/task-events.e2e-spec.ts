import { TaskStatus, redisKey, runnerAliveKey } from '@semaphore/models';
import { TaskEntity, TaskOutputEntity, type TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiProcess, type ApiStack } from '@semaphore/testing';
import { WsClient, appendRunnerBatch, logEvents } from './task-events-helpers';

/** Polls `probe` (a database or Redis read) until it returns a value. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('task event path across two api replicas (stream -> PostgreSQL once, -> every replica live)', () => {
  let stack: ApiStack;
  let second: ApiProcess;
  let template: TemplateEntity;
  let runnerId: number;
  let adminToken: string;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_NODE_ID: 'replica-a' });
    second = await stack.startReplica({ SEMAPHORE_NODE_ID: 'replica-b' });
    template = await stack.factories.template((await stack.factories.project()).id);
    runnerId = (await stack.factories.runner()).id;
    await stack.redis.client.set(redisKey(stack.redis.prefix, ...runnerAliveKey(runnerId)), '{}', 'PX', 600_000);
    const { client } = await stack.withToken({ admin: true });
    adminToken = (await client.post<{ id: string }>('/api/user/tokens')).body.id;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await second?.process.stop();
    await stack?.stop();
  });

  const connect = async (baseUrl: string) => {
    const c = await WsClient.connect(baseUrl, { authorization: `Bearer ${adminToken}` });
    clients.push(c);
    return c;
  };
  const claimedTask = () =>
    stack.factories.task(template, {
      status: TaskStatus.Starting,
      runnerId,
      claimGeneration: 1,
      claimedAt: new Date(),
    });
  const outputOf = (taskId: number) =>
    stack.db.dataSource.getRepository(TaskOutputEntity).find({ where: { taskId }, order: { seq: 'ASC' } });
  const pending = async () =>
    ((await stack.redis.client.xpending(redisKey(stack.redis.prefix, 'task-events'), 'persist')) as [number])[0];

  it('persists every line exactly once and both replicas relay all of them in order', async () => {
    const [a, b] = [await connect(stack.baseUrl), await connect(second.baseUrl)];
    const task = await claimedTask();
    const redis = stack.redis.client;
    await appendRunnerBatch(redis, stack.redis.prefix, task, [
      { type: 'status', status: TaskStatus.Running, time: new Date().toISOString() },
    ]);
    for (let from = 1; from <= 1000; from += 50) {
      const batch = logEvents(from, from + 49);
      await appendRunnerBatch(redis, stack.redis.prefix, task, batch);
      if (from === 501) await appendRunnerBatch(redis, stack.redis.prefix, task, batch); // a duplicate
    }
    await appendRunnerBatch(redis, stack.redis.prefix, task, [
      { type: 'status', status: TaskStatus.Success, time: new Date().toISOString() },
    ]);

    for (const c of [a, b]) {
      await c.waitFor(
        (ms) => ms.some((m) => m.task_id === task.id && m.type === 'update' && m.status === 'success'),
        'the success update',
      );
      // Each replica relays what is in the stream (the duplicated batch twice): every seq, in order.
      const seqs = c.of(task.id, 'log').map((m) => m.seq as number);
      expect([...new Set(seqs)]).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    }
    const rows = await outputOf(task.id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const row = await stack.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect(row).toMatchObject({ status: TaskStatus.Success, lastSeq: 1000 });
    expect(await eventually(async () => ((await pending()) === 0 ? true : undefined), 'no pending entries')).toBe(true);
    // Both replicas announced nothing twice: one `running` and one `success` update.
    expect(a.of(task.id, 'update').map((m) => m.status)).toEqual(['running', 'success']);
  });

  it('the other replica takes over persisting when the lease holder stops', async () => {
    const leaseKey = redisKey(stack.redis.prefix, 'task-events', 'persist-leader');
    const holder = await stack.redis.client.get(leaseKey);
    expect(['replica-a', 'replica-b']).toContain(holder);
    const survivor = holder === 'replica-b' ? stack.api : second;
    const listener = await connect(survivor.baseUrl);
    await (holder === 'replica-b' ? second.process.stop() : stack.api.process.stop());

    const task = await claimedTask();
    await appendRunnerBatch(stack.redis.client, stack.redis.prefix, task, [
      ...logEvents(1, 10),
      { type: 'status', status: TaskStatus.Error, time: new Date().toISOString(), errorCode: 'EXIT_CODE_1' },
    ]);
    await listener.waitFor(
      (ms) => ms.some((m) => m.task_id === task.id && m.type === 'update' && m.status === 'error'),
      'the error update from the surviving replica',
    );
    expect((await outputOf(task.id)).map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const row = await stack.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect(row).toMatchObject({ status: TaskStatus.Error, errorCode: 'EXIT_CODE_1' });
    expect(await stack.redis.client.get(leaseKey)).toBe(holder === 'replica-b' ? 'replica-a' : 'replica-b');
  });
});
