import { TaskStatus, TemplateType } from '@semaphore/models';
import { InventoryEntity, ProjectEntity, TaskEntity, TaskOutputEntity, TemplateEntity } from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { queuedLineText, TaskQueueRepository, type QueuedLine } from './task-queue.repository';

describe('TaskQueueRepository.insertQueuedTask (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;
  let repo: TaskQueueRepository;
  let template: TemplateEntity;
  const line = (): QueuedLine => ({ time: new Date('2026-12-04T10:11:12.345Z'), before: 'Task ', after: ' queued' });

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
    const ds = db.dataSource;
    repo = new TaskQueueRepository(
      ds,
      ds.getRepository(TaskEntity),
      ds.getRepository(TemplateEntity),
      ds.getRepository(InventoryEntity),
      ds.getRepository(ProjectEntity),
    );
    const project = await f.project();
    template = await f.template(project.id);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const outputOf = (taskId: number) =>
    db.dataSource.getRepository(TaskOutputEntity).find({ where: { taskId }, order: { seq: 'ASC' } });

  it('returns the row exactly as stored, with its first output line', async () => {
    const task = await repo.insertQueuedTask(
      {
        templateId: template.id,
        projectId: template.projectId,
        message: "it's a 'quoted' $1 message",
        params: { plan: true, nested: { a: [1, 2] } },
        environment: '{"k":"v"}',
        gitBranch: null,
      },
      line(),
    );
    const stored = await db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect(task).toBeInstanceOf(TaskEntity);
    expect(task).toEqual(stored);
    expect(task.status).toBe(TaskStatus.Waiting);
    expect(task.lastSeq).toBe(1);
    expect(task.created).toBeInstanceOf(Date);
    expect(task.params).toEqual({ plan: true, nested: { a: [1, 2] } });
    const output = await outputOf(task.id);
    expect(queuedLineText(line(), task.id)).toBe(`Task ${task.id} queued`);
    expect(output.map((o) => [o.seq, o.output, o.time.toISOString()])).toEqual([
      [1, `Task ${task.id} queued`, '2026-12-04T10:11:12.345Z'],
    ]);
  });

  it('numbers build versions under the lock, in a transaction', async () => {
    const build = await f.template(template.projectId, { type: TemplateType.Build });
    const next = (previous: string | null) => String(Number(previous ?? '0') + 1);
    const row = { templateId: build.id, projectId: build.projectId };
    const tasks = await Promise.all([1, 2, 3].map(() => repo.insertQueuedTask(row, line(), next)));
    expect(tasks.map((t) => t.version).sort()).toEqual(['1', '2', '3']);
    for (const t of tasks) expect((await outputOf(t.id)).map((o) => o.output)).toEqual([`Task ${t.id} queued`]);
  });

  it('stores nothing when the insert fails', async () => {
    const before = await db.dataSource.getRepository(TaskOutputEntity).count();
    await expect(
      repo.insertQueuedTask({ templateId: 2_000_000, projectId: template.projectId }, line()),
    ).rejects.toThrow(/foreign key/);
    expect(await db.dataSource.getRepository(TaskOutputEntity).count()).toBe(before);
  });

  it('findTaskWithTemplate: the stored task and its template name and type, in one query', async () => {
    const task = await repo.insertQueuedTask({ templateId: template.id, projectId: template.projectId }, line());
    const found = await repo.findTaskWithTemplate(task.id);
    expect(found?.task).toEqual(await db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id }));
    expect(found?.template).toEqual({ name: template.name, type: template.type });
    expect(await repo.findTaskWithTemplate(2_000_000)).toBeNull();
  });
});
