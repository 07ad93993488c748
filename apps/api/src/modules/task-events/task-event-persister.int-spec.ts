import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  TASK_EVENTS_FIELD,
  TASK_EVENTS_PERSIST_GROUP,
  TaskStatus,
  type TaskEvent,
  type TaskEventBatch,
} from '@semaphore/models';
import { TaskEntity, TaskOutputEntity, type TemplateEntity } from '@semaphore/persistence';
import { createRedisClient } from '@semaphore/redis';
import { Factories, createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@semaphore/testing';
import { parseBatch, taskEventsStreamKey } from './task-event-batch';
import { TaskEventPersister } from './task-event-persister';
import { TaskEventPublisher } from './task-event-publisher';
import { TaskEventsRepository } from './task-events.repository';
import { trimBehindGroup } from './stream-group-maintenance';

const CONSUMER = 'persist-int';

describe('TaskEventPersister (real Redis + PostgreSQL)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let blocking: Redis;
  let f: Factories;
  let template: TemplateEntity;
  let runnerId: number;
  let persister: TaskEventPersister;
  let key: string;
  const finished: number[] = [];
  const waiting: number[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    redis = await createTestRedis();
    key = taskEventsStreamKey(redis.prefix);
    blocking = createRedisClient({
      url: redis.url,
      connectionName: 'int-persist',
      commandTimeoutMs: 2_000,
      blocking: true,
    });
    f = new Factories(db.dataSource);
    const project = await f.project();
    template = await f.template(project.id);
    runnerId = (await f.runner()).id;
    const repo = new TaskEventsRepository(db.dataSource);
    const lifecycle = {
      onTaskFinished: async (t: TaskEntity) => void finished.push(t.id),
      onTaskWaitingConfirmation: async (id: number) => void waiting.push(id),
    };
    persister = new TaskEventPersister(
      redis.client,
      blocking,
      repo,
      new TaskEventPublisher(redis.client, redis.prefix),
      lifecycle,
      { prefix: redis.prefix, consumer: CONSUMER, blockMs: 20, claimIdleMs: 0, maintenanceEveryMs: 3_600_000 },
    );
  });

  afterAll(async () => {
    blocking?.disconnect();
    await redis?.cleanup();
    await db?.drop();
  });

  const claimedTask = (over: Partial<TaskEntity> = {}) =>
    f.task(template, { status: TaskStatus.Starting, runnerId, claimGeneration: 3, claimedAt: new Date(), ...over });

  const runnerBatch = (task: TaskEntity, events: TaskEvent[], over: Partial<TaskEventBatch> = {}): TaskEventBatch => ({
    source: 'runner',
    taskId: task.id,
    projectId: task.projectId,
    templateId: task.templateId,
    runnerId: task.runnerId ?? 0,
    gen: task.claimGeneration,
    events,
    ...over,
  });

  const logs = (from: number, to: number): TaskEvent[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      type: 'log',
      seq: from + i,
      time: new Date(Date.UTC(2024, 0, 1, 0, 0, from + i)).toISOString(),
      output: `line ${from + i}`,
    }));

  const xadd = (batch: TaskEventBatch) => redis.client.xadd(key, '*', TASK_EVENTS_FIELD, JSON.stringify(batch));

  /** Runs the persister until its own pending entries and the new ones are handled. */
  async function drain(): Promise<void> {
    for (let i = 0; i < 4; i++) await persister.runOnce();
  }

  const lines = async (taskId: number) =>
    (await db.dataSource.getRepository(TaskOutputEntity).find({ where: { taskId }, order: { seq: 'ASC' } })).map(
      (l) => [l.seq, l.output],
    );
  const reload = (id: number) => db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id });
  const pendingCount = async () => ((await redis.client.xpending(key, TASK_EVENTS_PERSIST_GROUP)) as [number])[0];

  /** The `api` batches in the stream for this task. */
  async function apiBatches(taskId: number): Promise<TaskEventBatch[]> {
    const entries = (await redis.client.xrange(key, '-', '+')) as Array<[string, string[]]>;
    return entries
      .map(([, fields]) => parseBatch(fields[1]))
      .filter((b): b is TaskEventBatch => typeof b !== 'string' && b.source === 'api' && b.taskId === taskId);
  }

  it('creates the group and persists a batch: lines, last_seq, status, start, commit; then acks', async () => {
    const task = await claimedTask();
    await xadd(
      runnerBatch(task, [
        { type: 'status', status: TaskStatus.Running, time: '2024-01-01T00:00:00.5Z' },
        { type: 'commit', hash: 'a1b2c3', message: 'Initial commit' },
        ...logs(1, 3),
      ]),
    );
    await drain();
    expect(await lines(task.id)).toEqual([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
    ]);
    const row = await reload(task.id);
    expect(row).toMatchObject({ status: TaskStatus.Running, lastSeq: 3, commitHash: 'a1b2c3' });
    expect(row.start).toEqual(new Date('2024-01-01T00:00:00.5Z'));
    expect(await pendingCount()).toBe(0);
    const [update] = await apiBatches(task.id);
    expect(update.events).toEqual([
      { type: 'update', status: 'running', start: '2024-01-01T00:00:00.5Z', end: null, version: null },
    ]);
  });

  it('is idempotent: the same batch twice and a reclaimed pending entry give each line once', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    const batch = runnerBatch(task, logs(1, 4));
    await xadd(batch);
    await xadd(batch);
    // A consumer that read an overlapping batch and died before acknowledging it.
    await xadd(runnerBatch(task, logs(3, 6)));
    await redis.client.xreadgroup('GROUP', TASK_EVENTS_PERSIST_GROUP, 'dead-replica', 'COUNT', 3, 'STREAMS', key, '>');
    expect(await pendingCount()).toBe(3);
    await persister.maintain(); // XAUTOCLAIM (idle >= 0 ms in this test) takes them over and persists them
    await drain();
    expect(await lines(task.id)).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, `line ${n}`]));
    expect((await reload(task.id)).lastSeq).toBe(6);
    expect(await pendingCount()).toBe(0);
  });

  it('fencing: drops batches of another runner or an older claim generation, and acks them', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    await xadd(
      runnerBatch(task, [...logs(1, 2), { type: 'status', status: TaskStatus.Success, time: 'x' }], { gen: 2 }),
    );
    await xadd(runnerBatch(task, logs(3, 3), { runnerId: runnerId + 1000 }));
    await xadd(runnerBatch(task, logs(4, 4)));
    await drain();
    expect(await lines(task.id)).toEqual([[4, 'line 4']]);
    expect((await reload(task.id)).status).toBe(TaskStatus.Running);
    expect(await pendingCount()).toBe(0);
  });

  it('applies the transition guard; a terminal status is kept and reported once', async () => {
    const task = await claimedTask({ status: TaskStatus.Running, start: new Date('2024-01-01T00:00:00Z') });
    const status = (s: TaskStatus, errorCode?: string): TaskEvent => ({
      type: 'status',
      status: s,
      time: '2024-01-01T00:01:00Z',
      ...(errorCode ? { errorCode } : {}),
    });
    await xadd(runnerBatch(task, [status(TaskStatus.Waiting)])); // running -> waiting: ignored
    await drain();
    expect((await reload(task.id)).status).toBe(TaskStatus.Running);
    expect(await apiBatches(task.id)).toEqual([]);

    await xadd(runnerBatch(task, [status(TaskStatus.Error, 'EXIT_CODE_2')]));
    await drain();
    await xadd(runnerBatch(task, [status(TaskStatus.Success), status(TaskStatus.Running)])); // finished: ignored
    await drain();
    const row = await reload(task.id);
    expect(row).toMatchObject({ status: TaskStatus.Error, errorCode: 'EXIT_CODE_2' });
    expect(row.end).toEqual(new Date('2024-01-01T00:01:00Z'));
    expect(row.start).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect((await apiBatches(task.id)).map((b) => b.events[0])).toEqual([
      { type: 'update', status: 'error', start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:01:00Z', version: null },
    ]);
    expect(finished.filter((id) => id === task.id)).toHaveLength(1);
  });

  it('acks only after COMMIT: a failing insert leaves the entry pending, and it is persisted on retry', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    await db.dataSource.query(`
      CREATE FUNCTION refuse_fail_line() RETURNS trigger AS $$
      BEGIN IF NEW.output = 'FAIL' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_fail_line BEFORE INSERT ON task__output FOR EACH ROW EXECUTE FUNCTION refuse_fail_line();`);
    try {
      await xadd(runnerBatch(task, [...logs(1, 1), { type: 'log', seq: 2, time: 'x', output: 'FAIL' }]));
      // (one iteration may first re-read this consumer's own, empty, pending list)
      await expect(persister.runOnce().then(() => persister.runOnce())).rejects.toThrow(/refused by the test/);
      expect(await pendingCount()).toBe(1);
      expect(await lines(task.id)).toEqual([]); // rolled back as a whole
      await expect(persister.runOnce()).rejects.toThrow(/refused by the test/); // retried from the pending list
      expect(await pendingCount()).toBe(1);
    } finally {
      await db.dataSource.query(`DROP TRIGGER refuse_fail_line ON task__output; DROP FUNCTION refuse_fail_line();`);
    }
    await drain();
    expect(await lines(task.id)).toEqual([
      [1, 'line 1'],
      [2, 'FAIL'],
    ]);
    expect(await pendingCount()).toBe(0);
  });

  it('drops (and acks) an entry that fails with a data error on its own, without losing its neighbours', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    await db.dataSource.query(`
      CREATE FUNCTION poison_line() RETURNS trigger AS $$
      BEGIN IF NEW.output = 'POISON' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$
      LANGUAGE plpgsql;
      CREATE TRIGGER poison_line BEFORE INSERT ON task__output FOR EACH ROW EXECUTE FUNCTION poison_line();`);
    try {
      await xadd(runnerBatch(task, logs(1, 1)));
      await xadd(runnerBatch(task, [{ type: 'log', seq: 2, time: 'x', output: 'POISON' }]));
      await xadd(runnerBatch(task, logs(3, 3)));
      await drain();
    } finally {
      await db.dataSource.query(`DROP TRIGGER poison_line ON task__output; DROP FUNCTION poison_line();`);
    }
    expect(await lines(task.id)).toEqual([
      [1, 'line 1'],
      [3, 'line 3'],
    ]);
    expect(await pendingCount()).toBe(0);
  });

  it('trims the stream behind the group, never past an entry that is not persisted', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    for (let i = 1; i <= 250; i++) await xadd(runnerBatch(task, logs(i, i)));
    const ref = { redis: redis.client, key, group: TASK_EVENTS_PERSIST_GROUP, consumer: CONSUMER };
    const before = await redis.client.xlen(key);
    await trimBehindGroup(ref, 0);
    expect(await redis.client.xlen(key)).toBe(before); // nothing of the new entries was delivered yet
    await drain();
    await trimBehindGroup(ref, 0);
    expect(await redis.client.xlen(key)).toBeLessThan(250);
    expect((await reload(task.id)).lastSeq).toBe(250);
  });

  it('a line stored above last_seq already: the unchecked insert of new lines falls back, nothing is lost', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    // A writer that did not raise last_seq (the persister inserts lines above last_seq without a conflict check).
    await db.dataSource
      .getRepository(TaskOutputEntity)
      .insert({ taskId: task.id, seq: 2, time: new Date(), output: 'stored before' });
    await xadd(runnerBatch(task, logs(1, 3)));
    await drain();
    expect(await lines(task.id)).toEqual([
      [1, 'line 1'],
      [2, 'stored before'],
      [3, 'line 3'],
    ]);
    expect((await reload(task.id)).lastSeq).toBe(3);
    expect(await pendingCount()).toBe(0);
  });

  it('stores each line with its event time, to the millisecond', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    const times = ['2024-01-01T00:00:01.234Z', '2031-07-15T23:59:59.999Z'];
    await xadd(
      runnerBatch(
        task,
        times.map((time, i) => ({ type: 'log', seq: i + 1, time, output: `at ${time}` })),
      ),
    );
    await drain();
    const stored = await db.dataSource.getRepository(TaskOutputEntity).find({ where: { taskId: task.id } });
    expect(stored.map((l) => l.time.toISOString()).sort()).toEqual(times);
  });

  it('stores every character of a line as sent: tabs, backslashes, carriage returns, \\N, quotes, unicode', async () => {
    const task = await claimedTask({ status: TaskStatus.Running });
    const outputs = [
      'a\tb',
      'back\\slash \\N \\t',
      'cr\rinside',
      '"quoted" \'single\' {a,b}',
      'ünïcödé ✓ 🚀',
      '\\N',
      '',
    ];
    await xadd(
      runnerBatch(
        task,
        outputs.map((output, i) => ({ type: 'log', seq: i + 1, time: '2026-12-04T10:00:00.000Z', output })),
      ),
    );
    await drain();
    expect(await lines(task.id)).toEqual(outputs.map((o, i) => [i + 1, o]));
  });

  it('reports waiting_confirmation after the commit, once per persisted change', async () => {
    const task = await claimedTask({ status: TaskStatus.Running, start: new Date('2024-01-01T00:00:00Z') });
    const status = (s: TaskStatus): TaskEvent => ({ type: 'status', status: s, time: '2024-01-01T00:01:00Z' });
    await xadd(runnerBatch(task, [...logs(1, 1), status(TaskStatus.WaitingConfirmation)]));
    await drain();
    expect((await reload(task.id)).status).toBe(TaskStatus.WaitingConfirmation);
    expect(waiting.filter((id) => id === task.id)).toHaveLength(1);
    await xadd(runnerBatch(task, logs(2, 2))); // no status change: not reported again
    await drain();
    expect(waiting.filter((id) => id === task.id)).toHaveLength(1);
    expect(finished).not.toContain(task.id);
  });
});
