import { Logger } from '@nestjs/common';
import {
  RECONCILER_ACTIONS_KEY,
  TASK_EVENTS_PERSIST_GROUP,
  TaskStatus,
  redisKey,
  runnerAliveKey,
  type ReconcilerAction,
  type TaskEventBatch,
} from '@semaphore/models';
import { TaskEntity, TaskOutputEntity, type RunnerEntity, type TemplateEntity } from '@semaphore/persistence';
import { Factories, createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@semaphore/testing';
import { RunnerReconciler } from './runner-reconciler';
import { parseBatch, taskEventsStreamKey } from './task-event-batch';
import { TaskEventPublisher } from './task-event-publisher';
import { TaskEventsRepository } from './task-events.repository';

const LOST_AFTER_MS = 30_000;

describe('RunnerReconciler (real Redis + PostgreSQL)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let f: Factories;
  let template: TemplateEntity;
  let lostRunner: RunnerEntity;
  let liveRunner: RunnerEntity;
  let reconciler: RunnerReconciler;
  let other: RunnerReconciler;
  const finished: number[] = [];
  const requeued: number[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    redis = await createTestRedis();
    f = new Factories(db.dataSource);
    template = await f.template((await f.project()).id);
    lostRunner = await f.runner({ name: 'edge-7' });
    liveRunner = await f.runner();
    const repo = new TaskEventsRepository(db.dataSource);
    const lifecycle = {
      onTaskFinished: async (t: TaskEntity) => void finished.push(t.id),
      requeue: async (t: TaskEntity) => {
        requeued.push(t.id);
        await db.dataSource.getRepository(TaskEntity).update({ id: t.id }, { status: TaskStatus.Waiting });
      },
    };
    const make = (nodeId: string) =>
      new RunnerReconciler(redis.client, repo, new TaskEventPublisher(redis.client, redis.prefix), lifecycle, {
        prefix: redis.prefix,
        nodeId,
        lostAfterMs: LOST_AFTER_MS,
      });
    reconciler = make('node-a');
    other = make('node-b');
  });

  afterAll(async () => {
    await redis?.cleanup();
    await db?.drop();
  });

  const ago = (ms: number) => new Date(Date.now() - ms);
  const reload = (id: number) => db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id });
  const lock = () => redisKey(redis.prefix, 'task-events', 'reconciler-lock');
  const stream = () => taskEventsStreamKey(redis.prefix);
  const heartbeat = (runner: RunnerEntity, runningTaskIds: number[]) =>
    redis.client.set(
      redisKey(redis.prefix, ...runnerAliveKey(runner.id)),
      JSON.stringify({ runnerId: runner.id, runningTaskIds, time: new Date().toISOString() }),
      'PX',
      60_000,
    );
  /** Plays the persist group: every entry delivered and acknowledged. */
  async function persistAll(): Promise<void> {
    for (;;) {
      const reply = (await redis.client.xreadgroup(
        'GROUP',
        TASK_EVENTS_PERSIST_GROUP,
        'test',
        'COUNT',
        1000,
        'STREAMS',
        stream(),
        '>',
      )) as Array<[string, Array<[string, string[]]>]> | null;
      const ids = reply?.[0]?.[1].map(([id]) => id) ?? [];
      if (ids.length === 0) return;
      await redis.client.xack(stream(), TASK_EVENTS_PERSIST_GROUP, ...ids);
    }
  }

  it('fails running tasks of a vanished or restarted runner (RUNNER_LOST, a log line), requeues unstarted ones', async () => {
    await redis.client.xgroup('CREATE', stream(), TASK_EVENTS_PERSIST_GROUP, '$', 'MKSTREAM');
    const now = new Date();
    const claim = { claimGeneration: 2, claimedAt: new Date(now.getTime() - 45_000) };
    const lost = await f.task(template, { status: TaskStatus.Running, runnerId: lostRunner.id, lastSeq: 4, ...claim });
    const lostStarting = await f.task(template, { status: TaskStatus.Starting, runnerId: lostRunner.id, ...claim });
    const healthy = await f.task(template, { status: TaskStatus.Running, runnerId: liveRunner.id, ...claim });
    const recent = await f.task(template, {
      status: TaskStatus.Running,
      runnerId: lostRunner.id,
      claimGeneration: 1,
      claimedAt: ago(5_000),
    });
    const stuck = await f.task(template, { status: TaskStatus.Starting, runnerId: liveRunner.id, ...claim });
    const slowStart = await f.task(template, { status: TaskStatus.Starting, runnerId: liveRunner.id, ...claim });
    // Its runner restarted (alive again under the same id) and no longer lists it.
    const forgotten = await f.task(template, { status: TaskStatus.Running, runnerId: liveRunner.id, ...claim });
    await heartbeat(liveRunner, [healthy.id, slowStart.id]);
    const done = await f.task(template, { status: TaskStatus.Success, runnerId: lostRunner.id, ...claim });

    const result = await reconciler.reconcile(now);
    expect(result?.failed.sort()).toEqual([lost.id, forgotten.id].sort());
    expect(result?.requeued.sort()).toEqual([lostStarting.id, stuck.id].sort());
    expect(requeued.sort()).toEqual([lostStarting.id, stuck.id].sort());
    expect(finished.sort()).toEqual([lost.id, forgotten.id].sort());

    const row = await reload(lost.id);
    expect(row).toMatchObject({ status: TaskStatus.Error, errorCode: 'RUNNER_LOST', lastSeq: 5 });
    expect(row.end).not.toBeNull();
    const output = await db.dataSource.getRepository(TaskOutputEntity).findBy({ taskId: lost.id });
    expect(output.map((l) => [l.seq, l.output])).toEqual([[5, 'Runner edge-7 was lost: no heartbeat for 45 s']]);
    const restarted = await db.dataSource.getRepository(TaskOutputEntity).findBy({ taskId: forgotten.id });
    expect(restarted.map((l) => l.output)).toEqual([
      `Runner ${liveRunner.name} was lost: it restarted and no longer runs this task`,
    ]);
    expect((await reload(stuck.id)).status).toBe(TaskStatus.Waiting);
    for (const t of [healthy, recent, slowStart, done]) expect((await reload(t.id)).status).toBe(t.status);

    // Announced to WebSocket clients: the line, then the update.
    const entries = (await redis.client.xrange(stream(), '-', '+')) as Array<[string, string[]]>;
    const batch = entries
      .map(([, fields]) => parseBatch(fields[1]) as TaskEventBatch)
      .find((b) => b.taskId === lost.id);
    expect(batch?.source).toBe('api');
    expect(batch?.events.map((e) => e.type)).toEqual(['log', 'update']);
    expect(batch?.events[1]).toMatchObject({ status: 'error' });

    // Journalled for GET /api/cluster, newest first.
    const journal = (await redis.client.lrange(redisKey(redis.prefix, ...RECONCILER_ACTIONS_KEY), 0, -1)).map(
      (e) => JSON.parse(e) as ReconcilerAction,
    );
    expect(journal.map((a) => [a.action, a.taskId, a.runnerId, a.nodeId]).sort()).toEqual(
      [
        ['failed-runner-lost', lost.id, lostRunner.id, 'node-a'],
        ['failed-runner-lost', forgotten.id, liveRunner.id, 'node-a'],
        ['requeued', lostStarting.id, lostRunner.id, 'node-a'],
        ['requeued', stuck.id, liveRunner.id, 'node-a'],
      ].sort(),
    );
  });

  it('fails nobody while the persist group has not stored every event yet', async () => {
    await persistAll();
    await redis.client.del(lock());
    const task = await f.task(template, {
      status: TaskStatus.Running,
      runnerId: lostRunner.id,
      claimGeneration: 1,
      claimedAt: ago(60_000),
    });
    // The runner's last batch (its `success`, say) is in the stream but not persisted yet.
    await redis.client.xadd(stream(), '*', 'b', '{}');
    expect(await reconciler.reconcile()).toEqual({ failed: [], requeued: [] });
    expect((await reload(task.id)).status).toBe(TaskStatus.Running);
    await persistAll();
    await redis.client.del(lock());
    expect((await reconciler.reconcile())?.failed).toEqual([task.id]);
  });

  it('under steady traffic, fails a lost task once the group has persisted what was in the stream when it was lost', async () => {
    await persistAll();
    await redis.client.del(lock());
    const task = await f.task(template, {
      status: TaskStatus.Running,
      runnerId: lostRunner.id,
      claimGeneration: 1,
      claimedAt: ago(60_000),
    });
    await redis.client.xadd(stream(), '*', 'b', '{}'); // possibly the lost runner's last batch, not persisted yet
    expect(await reconciler.reconcile()).toEqual({ failed: [], requeued: [] });
    // That entry gets persisted, but other runners keep writing: the stream's newest entry is never persisted.
    await persistAll();
    await redis.client.xadd(stream(), '*', 'b', '{}');
    await redis.client.del(lock());
    expect((await reconciler.reconcile())?.failed).toEqual([task.id]);
  });

  it('takes a lock: one replica per round', async () => {
    await persistAll();
    await redis.client.del(lock());
    const task = await f.task(template, {
      status: TaskStatus.Running,
      runnerId: lostRunner.id,
      claimGeneration: 1,
      claimedAt: ago(60_000),
    });
    const [a, b] = await Promise.all([reconciler.reconcile(), other.reconcile()]);
    expect([a, b].filter((r) => r === null)).toHaveLength(1);
    expect([a, b].find((r) => r !== null)?.failed).toEqual([task.id]);
  });

  it('does not fail a task that moved on since the scan (claim changed)', async () => {
    await redis.client.del(lock());
    const task = await f.task(template, {
      status: TaskStatus.Running,
      runnerId: lostRunner.id,
      claimGeneration: 1,
      claimedAt: ago(60_000),
    });
    const repo = new TaskEventsRepository(db.dataSource);
    const [scanned] = (await repo.claimedTasks([TaskStatus.Running], ago(30_000), 500)).filter((t) => t.id === task.id);
    await db.dataSource.getRepository(TaskEntity).update({ id: task.id }, { claimGeneration: 2 });
    expect(await repo.failLostTask(scanned, [TaskStatus.Running], 'x', new Date())).toBeNull();
    expect((await reload(task.id)).status).toBe(TaskStatus.Running);
  });
});
