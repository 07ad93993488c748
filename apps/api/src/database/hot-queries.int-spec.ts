import {
  ApiTokenEntity,
  InventoryEntity,
  ProjectEntity,
  RunnerEntity,
  TaskEntity,
  TemplateEntity,
  UserEntity,
  hydrateJsonRow,
} from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { ApiTokenRepository, hashToken } from '../modules/auth/api-token.repository';
import { RunnersRepository } from '../modules/runners/runners.repository';
import { TaskQueueRepository } from '../modules/task-queue/task-queue.repository';

/** The hand-written queries of hot paths return exactly what TypeORM's own finds return. */
describe('hot-path queries (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('a bearer token with its user; an expired or unknown token finds nothing', async () => {
    const user = await f.user({ name: "O'Brien", admin: true });
    const tokens = new ApiTokenRepository(db.dataSource.getRepository(ApiTokenEntity));
    const { token } = await tokens.create(user.id);
    const found = await tokens.findValid(token);
    const expected = await db.dataSource
      .getRepository(ApiTokenEntity)
      .findOne({ where: { id: hashToken(token) }, relations: { user: true } });
    expect(found).toBeInstanceOf(ApiTokenEntity);
    expect(found?.user).toBeInstanceOf(UserEntity);
    expect(found).toEqual(expected);
    expect(await tokens.findValid('not-a-token')).toBeNull();
    await tokens.expire(user.id, token);
    expect(await tokens.findValid(token)).toBeNull();
  });

  it('a runner by its token hash', async () => {
    const runner = await f.runner({ tokenHash: 'a'.repeat(64), tags: ['gpu', 'eu'] });
    const runners = new RunnersRepository(
      db.dataSource.getRepository(RunnerEntity),
      db.dataSource.getRepository(ProjectEntity),
    );
    const found = await runners.findByTokenHash('a'.repeat(64));
    expect(found).toEqual(await db.dataSource.getRepository(RunnerEntity).findOneBy({ id: runner.id }));
    expect(found?.tags).toEqual(['gpu', 'eu']);
    expect(await runners.findByTokenHash('b'.repeat(64))).toBeNull();
  });

  it('a template of a project, not of another', async () => {
    const project = await f.project();
    const other = await f.project();
    const template = await f.template(project.id, { name: 'deploy', arguments: '["-v"]' });
    const ds = db.dataSource;
    const repo = new TaskQueueRepository(
      ds,
      ds.getRepository(TaskEntity),
      ds.getRepository(TemplateEntity),
      ds.getRepository(InventoryEntity),
      ds.getRepository(ProjectEntity),
    );
    expect(await repo.findTemplate(project.id, template.id)).toEqual(
      await ds.getRepository(TemplateEntity).findOneBy({ id: template.id }),
    );
    expect(await repo.findTemplate(other.id, template.id)).toBeNull();
  });

  it('a project row through to_jsonb hydrates like a find (dates, json, booleans)', async () => {
    const project = await f.project({ name: 'p "quoted"', alert: true, maxParallelTasks: 3 });
    const [row] = (await db.dataSource.query('SELECT to_jsonb(p) AS j FROM project p WHERE id = $1', [
      project.id,
    ])) as Array<{
      j: Record<string, unknown>;
    }>;
    const hydrated = hydrateJsonRow(db.dataSource.manager, ProjectEntity, row.j);
    expect(hydrated).toEqual(await db.dataSource.getRepository(ProjectEntity).findOneBy({ id: project.id }));
    expect(hydrated.created).toBeInstanceOf(Date);
  });
});
