import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { EventEntity, TaskEntity, TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiProcess, type ApiStack } from '@semaphore/testing';
import { createBashProject } from './task-fixtures';
import { taskQueue, waitFor } from './task-queue.e2e-helpers';

/**
 * Schedules fire through BullMQ job schedulers, on two api replicas: the API keeps each schedule's scheduler in step
 * with the row, and every intended fire time yields exactly one task (with its schedule_id), whichever replica's
 * worker takes it, even when a job for the same fire time is delivered twice.
 */
describe('schedule firing across two api replicas', () => {
  let stack: ApiStack;
  let second: ApiProcess;
  let root: string;
  let admin: ApiClient;
  let projectPath: string;
  let templateId: number;
  let schedules: Queue;
  const queues: Queue[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-schedules-'));
    stack = await startApiStack({ SEMAPHORE_NODE_ID: 'replica-a' });
    second = await stack.startReplica({ SEMAPHORE_NODE_ID: 'replica-b' });
    admin = (await stack.withToken({ admin: true })).client;
    const project = await createBashProject(admin, root, 'schedules', { 'run.sh': 'echo scheduled' });
    projectPath = project.projectPath;
    // A tag no runner serves: the tasks stay queued, which is all this test looks at.
    templateId = await project.template('scheduled', 'run.sh', { runner_tag: 'nobody', allow_parallel_tasks: true });
    schedules = taskQueue(stack.redis, 'schedules', queues);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await second?.process.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const schedulerOf = async (id: number) =>
    (await schedules.getJobSchedulers(0, -1)).find((s) => (s.key ?? s.id) === `schedule-${id}`);
  const scheduledTasks = (scheduleId: number) =>
    stack.db.dataSource.getRepository(TaskEntity).find({ where: { scheduleId }, order: { id: 'ASC' } });

  it('keeps the job scheduler in step with the schedule: create, update, deactivate, activate, delete', async () => {
    const created = await admin.post<{ id: number }>(`${projectPath}/schedules`, {
      name: 'nightly',
      template_id: templateId,
      cron_format: 'CRON_TZ=Europe/Paris 30 2 * * *',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(await schedulerOf(id)).toMatchObject({ pattern: '30 2 * * *', tz: 'Europe/Paris' });
    const put = (body: Record<string, unknown>) =>
      admin.put(`${projectPath}/schedules/${id}`, { id, template_id: templateId, name: 'nightly', ...body });
    expect((await put({ cron_format: '@every 5m', active: true })).status).toBe(204);
    expect(await schedulerOf(id)).toMatchObject({ every: 300_000 });
    expect((await admin.put(`${projectPath}/schedules/${id}/active`, { active: false })).status).toBe(204);
    expect(await schedulerOf(id)).toBeUndefined();
    expect((await admin.put(`${projectPath}/schedules/${id}/active`, { active: true })).status).toBe(204);
    expect(await schedulerOf(id)).toMatchObject({ every: 300_000 });
    expect((await admin.delete(`${projectPath}/schedules/${id}`)).status).toBe(204);
    expect(await schedulerOf(id)).toBeUndefined();
  });

  it('one task per fire time, whichever replica takes it; a second job for a fire time starts nothing', async () => {
    const created = await admin.post<{ id: number }>(`${projectPath}/schedules`, {
      name: 'fast',
      template_id: templateId,
      cron_format: '* * * * *',
      active: true,
    });
    const id = created.body.id;
    // A fast clock for the test: the same scheduler, every second instead of every minute.
    await schedules.upsertJobScheduler(`schedule-${id}`, { every: 1_000 }, { name: 'fire', data: { scheduleId: id } });
    await waitFor(
      'five scheduled tasks',
      async () => ((await scheduledTasks(id)).length >= 5 ? true : undefined),
      30_000,
    );
    await schedules.removeJobScheduler(`schedule-${id}`);
    const fired = await stack.redis.client.keys(`${stack.redis.prefix}:schedules:fired:${id}:*`);
    const fireTimes = fired.map((k) => Number(k.split(':').pop())).sort((a, b) => a - b);
    // Wait for any job still in flight, then compare: one task per fire time.
    await waitFor('the queue to drain', async () => ((await schedules.getActiveCount()) === 0 ? true : undefined));
    const tasks = await scheduledTasks(id);
    expect(tasks.length).toBe((await stack.redis.client.keys(`${stack.redis.prefix}:schedules:fired:${id}:*`)).length);
    expect(new Set(fireTimes).size).toBe(fireTimes.length);
    expect(tasks.every((t) => t.templateId === templateId)).toBe(true);

    // A job delivered again for a fire time that already fired (e.g. after a worker crash) is a no-op.
    const before = tasks.length;
    await schedules.add('fire', { scheduleId: id }, { jobId: `again-at-${fireTimes[0]}` });
    await waitFor('the duplicate job to be processed', async () =>
      (await schedules.getJobState(`again-at-${fireTimes[0]}`)) === 'completed' ? true : undefined,
    );
    expect((await scheduledTasks(id)).length).toBe(before);
  }, 60_000);

  it('a fire time missed while no api ran is reported once in the event log, not run late', async () => {
    const template = await stack.db.dataSource.getRepository(TemplateEntity).findOneByOrFail({ id: templateId });
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000);
    const missed = await stack.factories.schedule(template, {
      name: 'hourly-missed',
      cronFormat: '0 * * * *',
      active: true,
      created: threeHoursAgo,
    });
    const ran = await stack.factories.schedule(template, {
      name: 'hourly-ran',
      cronFormat: '0 * * * *',
      active: true,
      created: threeHoursAgo,
    });
    await stack.factories.task(template, { scheduleId: ran.id, created: new Date() });
    const eventsOf = (scheduleId: number) =>
      stack.db.dataSource.getRepository(EventEntity).findBy({ objectType: 'schedule', objectId: scheduleId });

    // The start-up check of two more replicas (the one that comes up second finds it reported already).
    for (const nodeId of ['replica-c', 'replica-d']) {
      const replica = await stack.startReplica({ SEMAPHORE_NODE_ID: nodeId });
      await replica.process.waitForLog((l) => String(l.msg).startsWith('schedules synchronised'), 30_000);
      await replica.process.stop();
    }
    const reported = await eventsOf(missed.id);
    expect(reported.map((e) => e.description)).toEqual([
      expect.stringMatching(
        /^Schedule hourly-missed missed its run at \S+ \(no api was running\); it is not run late$/,
      ),
    ]);
    expect(await eventsOf(ran.id)).toEqual([]);
    expect(await scheduledTasks(missed.id)).toEqual([]);
  }, 90_000);
});
