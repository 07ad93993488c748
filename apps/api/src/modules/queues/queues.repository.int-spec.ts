import { TaskStatus } from '@semaphore/models';
import {
  InventoryEntity,
  ProjectEntity,
  RunnerEntity,
  TaskEntity,
  type TemplateEntity,
  TemplateEntity as TemplateTable,
} from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { QueuesRepository } from './queues.repository';

const HOUR = 3600 * 1000;

describe('QueuesRepository (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;
  let repo: QueuesRepository;
  let p1: ProjectEntity;
  let p2: ProjectEntity;
  let gpu1: TemplateEntity;
  let plain1: TemplateEntity;
  let gpu2: TemplateEntity;
  const now = new Date();

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
    const ds = db.dataSource;
    repo = new QueuesRepository(
      ds.getRepository(TaskEntity),
      ds.getRepository(TemplateTable),
      ds.getRepository(InventoryEntity),
      ds.getRepository(RunnerEntity),
      ds.getRepository(ProjectEntity),
    );
    p1 = await f.project();
    p2 = await f.project();
    gpu1 = await f.template(p1.id, { runnerTag: 'gpu' });
    plain1 = await f.template(p1.id);
    gpu2 = await f.template(p2.id, { runnerTag: 'gpu' });
    await f.inventory(p2.id, { runnerTag: 'edge' });
    await f.runner({ tags: ['rack-1', 'gpu', 'Not A Tag'] });
  });

  afterAll(async () => {
    await db?.drop();
  });

  const failed = (template: TemplateEntity, endedAgoMs: number, over: Partial<TaskEntity> = {}) =>
    f.task(template, {
      status: TaskStatus.Error,
      runnerTag: template.runnerTag,
      end: new Date(now.getTime() - endedAgoMs),
      ...over,
    });

  it('lists unfinished tasks by project, queue and status, oldest first', async () => {
    const a = await f.task(gpu1, { runnerTag: 'gpu' });
    const b = await f.task(plain1, { status: TaskStatus.Running });
    const c = await f.task(gpu2, { runnerTag: 'gpu' });
    await f.task(gpu1, { runnerTag: 'gpu', status: TaskStatus.Success });
    const ids = async (filter: Parameters<QueuesRepository['unfinished']>[0]) =>
      (await repo.unfinished(filter)).map((t) => t.id).filter((id) => [a.id, b.id, c.id].includes(id));
    expect(await ids({ projectId: null })).toEqual([a.id, b.id, c.id]);
    expect(await ids({ projectId: p1.id })).toEqual([a.id, b.id]);
    expect(await ids({ projectId: null, tag: 'gpu' })).toEqual([a.id, c.id]);
    expect(await ids({ projectId: null, tag: null })).toEqual([b.id]);
    expect(await ids({ projectId: p1.id, tag: null, status: TaskStatus.Waiting })).toEqual([]);
    const [row] = await repo.unfinished({ projectId: p2.id, tag: 'gpu' });
    expect(row).toMatchObject({ id: c.id, projectId: p2.id, templateId: gpu2.id, status: 'waiting', runnerTag: 'gpu' });
    expect(row.created).toBeInstanceOf(Date);
  });

  it('counts the errors since a time per tag and project', async () => {
    const project = await f.project();
    const tagged = await f.template(project.id, { runnerTag: 'gpu' });
    const plain = await f.template(project.id);
    await failed(tagged, HOUR);
    await failed(tagged, 2 * HOUR);
    await failed(plain, HOUR);
    await failed(plain, 30 * HOUR);
    await f.task(plain, { status: TaskStatus.Success, end: now });
    const counts = await repo.failedCounts(new Date(now.getTime() - 24 * HOUR), project.id);
    expect(counts.sort((x, y) => String(x.runnerTag).localeCompare(String(y.runnerTag)))).toEqual([
      { runnerTag: 'gpu', projectId: project.id, count: 2 },
      { runnerTag: null, projectId: project.id, count: 1 },
    ]);
  });

  it('knows the tags templates, inventories and (for administrators) runners use; a project only its own', async () => {
    expect(await repo.configuredTags(null)).toEqual(['edge', 'gpu', 'rack-1']);
    expect(await repo.configuredTags(p1.id)).toEqual(['gpu']);
    expect(await repo.configuredTags(p2.id)).toEqual(['edge', 'gpu']);
  });

  it('finds tasks and templates only within the project when one is given', async () => {
    const task = await f.task(gpu2);
    expect((await repo.findTask(task.id, null))?.id).toBe(task.id);
    expect(await repo.findTask(task.id, p1.id)).toBeNull();
    expect(await repo.templateExists(gpu2.id, p2.id)).toBe(true);
    expect(await repo.templateExists(gpu2.id, p1.id)).toBe(false);
    expect(await repo.templateExists(gpu2.id, null)).toBe(true);
    expect((await repo.findProject(p2.id)).id).toBe(p2.id);
  });

  it('selects failed tasks retried or not in a window, with their first retry', async () => {
    const project = await f.project();
    const t1 = await f.template(project.id);
    const t2 = await f.template(project.id);
    const old = await failed(t1, 48 * HOUR);
    const retried = await failed(t1, HOUR);
    const fresh1 = await failed(t1, HOUR);
    const fresh2 = await failed(t2, HOUR);
    const firstRetry = await f.task(t1, { retryOfTaskId: retried.id, status: TaskStatus.Error, end: now });
    await f.task(t1, { retryOfTaskId: retried.id });
    const since = new Date(now.getTime() - 24 * HOUR);
    const base = { projectId: project.id, templateId: null, since, limit: 100 };
    const ids = (list: TaskEntity[]) => list.map((t) => t.id);
    // The first retry failed too: it is a failed task of its own, not retried yet.
    expect(ids(await repo.failedTasks({ ...base, retried: false }))).toEqual([fresh1.id, fresh2.id, firstRetry.id]);
    expect(ids(await repo.failedTasks({ ...base, retried: true }))).toEqual([retried.id]);
    expect(ids(await repo.failedTasks({ ...base, retried: false, templateId: t2.id }))).toEqual([fresh2.id]);
    expect(ids(await repo.failedTasks({ ...base, retried: false, limit: 1 }))).toEqual([fresh1.id]);
    expect(ids(await repo.failedTasks({ ...base, retried: false, since: new Date(0) }))).toContain(old.id);
    expect(ids(await repo.failedTasks({ ...base, projectId: p1.id, retried: true }))).toEqual([]);
    expect(await repo.firstRetries([retried, fresh1])).toEqual(new Map([[retried.id, firstRetry.id]]));
    expect(await repo.firstRetries([])).toEqual(new Map());
  });
});
