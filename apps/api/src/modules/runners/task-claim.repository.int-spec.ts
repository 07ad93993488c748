import { TaskStatus } from '@semaphore/models';
import { TaskEntity, TemplateEntity } from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { TaskClaimRepository } from './task-claim.repository';

/** The claim's hand-written template query returns what TypeORM's `find` with the same relations returns. */
describe('TaskClaimRepository.claimTemplate (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;
  let repo: TaskClaimRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
    repo = new TaskClaimRepository(db.dataSource);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const viaTypeorm = async (template: TemplateEntity) => {
    const [found] = await db.dataSource.getRepository(TemplateEntity).find({
      where: { id: template.id, projectId: template.projectId },
      relations: { vaults: { vaultKey: true }, repository: { sshKey: true }, environment: { secrets: true } },
    });
    found.vaults?.sort((a, b) => a.id - b.id);
    found.environment?.secrets?.sort((a, b) => a.id - b.id);
    return found;
  };

  it('a template with repository key, environment secrets and vaults', async () => {
    const project = await f.project();
    const key = await f.sshKey(project.id);
    const repository = await f.repository(project.id, { sshKeyId: key.id });
    const environment = await f.environment(project.id, { json: '{"a":{"b":[1,2]}}' });
    await f.environmentSecret(environment.id);
    await f.environmentSecret(environment.id, { name: 'SECOND' });
    const template = await f.template(project.id, {
      repositoryId: repository.id,
      environmentId: environment.id,
      surveyVars: [{ name: 'x', title: 'X' }] as never,
      taskParams: { allow_override_args: true } as never,
    });
    await f.templateVault(template);
    await f.templateVault(template, { name: 'second' });
    const loaded = await repo.claimTemplate(template.id, project.id);
    expect(loaded).toBeInstanceOf(TemplateEntity);
    expect(loaded).toEqual(await viaTypeorm(template));
    expect(loaded?.vaults).toHaveLength(2);
    expect(loaded?.environment?.secrets).toHaveLength(2);
    expect(loaded?.repository?.sshKey?.id).toBe(key.id);
  });

  it('a template without environment or vaults; none of another project', async () => {
    const project = await f.project();
    const template = await f.template(project.id, { environmentId: null });
    const loaded = await repo.claimTemplate(template.id, project.id);
    expect(loaded).toEqual(await viaTypeorm(template));
    expect(loaded?.vaults).toEqual([]);
    expect(await repo.claimTemplate(template.id, (await f.project()).id)).toBeNull();
  });

  it('unclaim gives a claimed task back to waiting under its claim only; the generation stays raised', async () => {
    const project = await f.project();
    const template = await f.template(project.id);
    const task = await f.task(template, { status: TaskStatus.Waiting });
    const runner = await f.runner();
    const claimed = (await repo.claim(task.id, runner)) as TaskEntity;
    expect(claimed).toMatchObject({ status: TaskStatus.Starting, runnerId: runner.id, claimGeneration: 1 });
    expect(await repo.unclaim({ ...claimed, claimGeneration: 0 } as TaskEntity)).toBe(false);
    expect(await repo.unclaim(claimed)).toBe(true);
    const row = await db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect(row).toMatchObject({ status: TaskStatus.Waiting, runnerId: null, claimedAt: null, claimGeneration: 1 });
    expect(await repo.unclaim(claimed)).toBe(false);
    expect((await repo.claim(task.id, runner))?.claimGeneration).toBe(2);
  });
});
