import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { ScheduleEntity, TaskEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ManagedProcess } from '@semaphore/testing';
import { E2E_REGISTRATION_TOKEN, createBashProject, startRunner } from './task-fixtures';
import { taskQueue, waitFor } from './task-queue.e2e-helpers';

/**
 * "Run only when the repository has a new commit" schedules: at each fire time the api queues a commit check, a
 * runner answers it with `git ls-remote`, and a task starts once per new commit (never for the same commit again).
 */
describe('schedules on new commits', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let admin: ApiClient;
  let projectPath: string;
  let repositoryId: number;
  let templateId: number;
  let checks: Queue;
  let schedules: Queue;
  const queues: Queue[] = [];
  const work = () => join(root, 'commits-repo', 'work');

  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: work(),
      env: {
        PATH: process.env.PATH,
        HOME: root,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    })
      .toString()
      .trim();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-commits-'));
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
    });
    admin = (await stack.withToken({ admin: true })).client;
    const project = await createBashProject(admin, root, 'commits', { 'run.sh': 'echo built' });
    projectPath = project.projectPath;
    repositoryId = project.repositoryId;
    // Tasks go to a tag no runner serves: only the commit checks run here, which is what this test looks at.
    templateId = await project.template('on-commit', 'run.sh', { runner_tag: 'nobody', allow_parallel_tasks: true });
    checks = taskQueue(stack.redis, 'commit-checks', queues);
    schedules = taskQueue(stack.redis, 'schedules', queues);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await runner?.stop();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** A fast clock for the test: the schedule's own job scheduler, every second instead of every minute. */
  const fastClock = (id: number) =>
    schedules.upsertJobScheduler(`schedule-${id}`, { every: 1_000 }, { name: 'fire', data: { scheduleId: id } });
  const tasksOf = (scheduleId: number) =>
    stack.db.dataSource.getRepository(TaskEntity).find({ where: { scheduleId }, order: { id: 'ASC' } });
  /** Waits until `n` more commit checks than `after` have been answered. */
  const checksDone = async (after: number, n: number) =>
    waitFor(`${n} commit checks`, async () => {
      const done = await checks.getCompletedCount();
      return done >= after + n ? done : undefined;
    });

  it('starts one task per new commit, none for a commit already seen', async () => {
    const created = await admin.post<{ id: number }>(`${projectPath}/schedules`, {
      name: 'on commit',
      template_id: templateId,
      cron_format: '* * * * *',
      repository_id: repositoryId,
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await fastClock(id);

    const first = await waitFor('the first task', async () => {
      const tasks = await tasksOf(id);
      return tasks.length ? tasks : undefined;
    });
    expect(first).toHaveLength(1);
    const schedule = await stack.db.dataSource.getRepository(ScheduleEntity).findOneByOrFail({ id });
    expect(schedule.lastCommitHash).toBe(git('rev-parse', 'HEAD'));

    // Three more checks of the same commit: no task.
    const seen = await checksDone(await checks.getCompletedCount(), 3);
    expect(await tasksOf(id)).toHaveLength(1);

    writeFileSync(join(work(), 'run.sh'), 'echo built again\n');
    git('commit', '-q', '-am', 'second');
    git('push', '-q', join(root, 'commits-repo', 'origin.git'), 'main');
    const head = git('rev-parse', 'HEAD');
    await waitFor('a task for the new commit', async () => ((await tasksOf(id)).length >= 2 ? true : undefined));
    await checksDone(seen, 6);
    const tasks = await tasksOf(id);
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => t.scheduleId === id && t.templateId === templateId)).toBe(true);
    expect((await stack.db.dataSource.getRepository(ScheduleEntity).findOneByOrFail({ id })).lastCommitHash).toBe(head);
    await admin.delete(`${projectPath}/schedules/${id}`);
  }, 60_000);

  it('starts nothing when the branch does not exist, and says why in the runner log', async () => {
    const repo = await admin.post(`${projectPath}/repositories`, {
      name: 'no such branch',
      git_url: `file://${join(root, 'commits-repo', 'origin.git')}`,
      git_branch: 'nope',
      ssh_key_id: (await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`)).body[0].id,
    });
    expect(repo.status).toBe(204);
    const repos = await admin.get<Array<{ id: number; name: string }>>(`${projectPath}/repositories`);
    const otherRepository = repos.body.find((r) => r.name === 'no such branch')?.id;
    const created = await admin.post<{ id: number }>(`${projectPath}/schedules`, {
      name: 'missing branch',
      template_id: templateId,
      cron_format: '* * * * *',
      repository_id: otherRepository,
      active: true,
    });
    expect(created.status).toBe(201);
    await fastClock(created.body.id);
    await runner.waitForLog(
      (l) => l.msg === 'commit check reported' && l.scheduleId === created.body.id && l.fired === false,
      15_000,
    );
    await stack.api.process.waitForLog((l) => String(l.msg ?? '').includes('has no branch nope'), 15_000);
    expect(await tasksOf(created.body.id)).toHaveLength(0);
    await admin.delete(`${projectPath}/schedules/${created.body.id}`);
  }, 60_000);

  it('refuses commit check routes without a runner token, and bad reports', async () => {
    expect((await fetch(`${stack.baseUrl}/api/internal/runners/commit-checks/1`)).status).toBe(401);
    const headers = {
      'x-runner-token': readFileSync(join(root, 'runner.token'), 'utf8').trim(),
      'content-type': 'application/json',
    };
    const unknown = await fetch(`${stack.baseUrl}/api/internal/runners/commit-checks/999999`, { headers });
    expect(unknown.status).toBe(404);
    const created = await admin.post<{ id: number }>(`${projectPath}/schedules`, {
      name: 'reports',
      template_id: templateId,
      cron_format: '0 0 1 1 *',
      repository_id: repositoryId,
      active: true,
    });
    const report = (body: unknown) =>
      fetch(`${stack.baseUrl}/api/internal/runners/commit-checks/${created.body.id}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
    const unknownReport = await fetch(`${stack.baseUrl}/api/internal/runners/commit-checks/999999`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ fire_time: 1, commit_hash: git('rev-parse', 'HEAD') }),
    });
    expect(unknownReport.status).toBe(404);
    const bad = await report({ fire_time: 1, commit_hash: '--upload-pack=evil' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('commit_hash');
    expect((await report({ fire_time: 1 })).status).toBe(400);
    const fine = await report({ fire_time: 1, commit_hash: git('rev-parse', 'HEAD') });
    expect(await fine.json()).toMatchObject({ fired: true });
    const again = await report({ fire_time: 2, commit_hash: git('rev-parse', 'HEAD') });
    expect(await again.json()).toEqual({ fired: false, task_id: null });
    expect(await tasksOf(created.body.id)).toHaveLength(1);
  });
});
