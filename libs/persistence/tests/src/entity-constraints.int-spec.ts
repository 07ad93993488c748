import type { DatabaseError } from 'pg';
import { QueryFailedError, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { AccessKeyType, EnvironmentSecretType, ProjectRole } from '@semaphore/models';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  EnvironmentSecretEntity,
  EventEntity,
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  InventoryEntity,
  ProjectEntity,
  ProjectMemberEntity,
  RepositoryEntity,
  RunnerEntity,
  ScheduleEntity,
  SessionEntity,
  ApiTokenEntity,
  TaskEntity,
  TaskOutputEntity,
  TemplateEntity,
  TemplateVaultEntity,
  UserEntity,
  ViewEntity,
} from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

let db: TestDatabase;
let f: Factories;

beforeAll(async () => {
  db = await createTestDatabase();
  f = new Factories(db.dataSource);
});

afterAll(() => db.drop());

/** The PostgreSQL error `work` fails with (the test fails if it succeeds). */
async function pgErrorOf(work: Promise<unknown>): Promise<DatabaseError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueryFailedError);
  return (error as QueryFailedError<DatabaseError>).driverError;
}

/** Name of the unique index on exactly `properties`, as the entity declares it (and the migration created it). */
function uniqueIndex<T extends ObjectLiteral>(target: EntityTarget<T>, properties: string[]): string {
  const index = db.dataSource
    .getMetadata(target)
    .indices.find((i) => i.isUnique && i.columns.map((c) => c.propertyName).join() === properties.join());
  if (!index) throw new Error(`no unique index on ${properties.join()}`);
  return index.name;
}

function count<T extends ObjectLiteral>(target: EntityTarget<T>, where: Partial<T>): Promise<number> {
  return db.dataSource.getRepository(target).countBy(where);
}

describe('unique indexes', () => {
  it('project__user: one membership per (project, user)', async () => {
    const [project, other, user] = [await f.project(), await f.project(), await f.user()];
    await f.projectMember(project.id, user.id);
    await f.projectMember(other.id, user.id);
    const error = await pgErrorOf(f.projectMember(project.id, user.id, { role: ProjectRole.Guest }));
    expect(error).toMatchObject({
      code: UNIQUE_VIOLATION,
      constraint: uniqueIndex(ProjectMemberEntity, ['projectId', 'userId']),
    });
    expect(await count(ProjectMemberEntity, { userId: user.id })).toBe(2);
  });

  it('task__output: one line per (task, seq)', async () => {
    const template = await f.template((await f.project()).id);
    const [task, other] = [await f.task(template), await f.task(template)];
    await f.taskOutput(task.id, 1);
    await f.taskOutput(other.id, 1);
    const error = await pgErrorOf(f.taskOutput(task.id, 1, { output: 'again' }));
    expect(error).toMatchObject({
      code: UNIQUE_VIOLATION,
      constraint: uniqueIndex(TaskOutputEntity, ['taskId', 'seq']),
    });
  });

  it('user: username is unique regardless of case', async () => {
    const n = f.next();
    await f.user({ username: `Alice.Ü-${n}` });
    const error = await pgErrorOf(f.user({ username: `alice.ü-${n}` }));
    expect(error).toMatchObject({ code: UNIQUE_VIOLATION, constraint: 'user_username_lower_idx' });
  });

  it('user: e-mail is unique regardless of case', async () => {
    const n = f.next();
    await f.user({ email: `Bob-${n}@Example.TEST` });
    const error = await pgErrorOf(f.user({ email: `bob-${n}@example.test` }));
    expect(error).toMatchObject({ code: UNIQUE_VIOLATION, constraint: 'user_email_lower_idx' });
  });

  it('integration alias: unique across all projects', async () => {
    const [project, other] = [await f.project(), await f.project()];
    const alias = await f.integrationAlias(project.id);
    const error = await pgErrorOf(f.integrationAlias(other.id, { alias: alias.alias }));
    expect(error).toMatchObject({
      code: UNIQUE_VIOLATION,
      constraint: uniqueIndex(IntegrationAliasEntity, ['alias']),
    });
  });

  it('environment secret: unique per (environment, type, name)', async () => {
    const environment = await f.environment((await f.project()).id);
    await f.environmentSecret(environment.id, { type: EnvironmentSecretType.Var, name: 'TOKEN' });
    await f.environmentSecret(environment.id, { type: EnvironmentSecretType.Env, name: 'TOKEN' });
    const error = await pgErrorOf(
      f.environmentSecret(environment.id, { type: EnvironmentSecretType.Var, name: 'TOKEN' }),
    );
    expect(error).toMatchObject({
      code: UNIQUE_VIOLATION,
      constraint: uniqueIndex(EnvironmentSecretEntity, ['environmentId', 'type', 'name']),
    });
  });

  it('runner: token hash unique when set, any number of runners without one', async () => {
    const runner = await f.runner();
    await f.runner({ tokenHash: null });
    await f.runner({ tokenHash: null });
    const error = await pgErrorOf(f.runner({ tokenHash: runner.tokenHash }));
    expect(error).toMatchObject({ code: UNIQUE_VIOLATION, constraint: uniqueIndex(RunnerEntity, ['tokenHash']) });
  });

  it('factory defaults satisfy every unique index (two of each, no overrides)', async () => {
    const [user, project] = [await f.user(), await f.project()];
    const environment = await f.environment(project.id);
    // Passes when no insert is refused.
    const twice = async <T>(make: () => Promise<T>): Promise<T[]> => [await make(), await make()];
    await twice(() => f.user());
    await twice(() => f.apiToken(user.id));
    await twice(() => f.runner());
    await twice(() => f.option());
    await twice(() => f.integrationAlias(project.id));
    await twice(() => f.environmentSecret(environment.id));
    await twice(async () => f.projectMember(project.id, (await f.user()).id));
  });
});

describe('foreign keys', () => {
  /** A project with one row in every table that hangs off it. */
  async function populatedProject() {
    const project = await f.project();
    const user = await f.user();
    await f.projectMember(project.id, user.id);
    const sshKey = await f.sshKey(project.id);
    const repository = await f.repository(project.id, { sshKeyId: sshKey.id });
    const inventory = await f.inventory(project.id, { sshKeyId: sshKey.id, repositoryId: repository.id });
    const environment = await f.environment(project.id);
    await f.environmentSecret(environment.id);
    const view = await f.view(project.id);
    const template = await f.template(project.id, {
      repositoryId: repository.id,
      inventoryId: inventory.id,
      environmentId: environment.id,
      viewId: view.id,
    });
    await f.templateVault(template);
    const schedule = await f.schedule(template, { repositoryId: repository.id });
    const integration = await f.integration(template, {
      authSecretId: (await f.accessKey(project.id, { type: AccessKeyType.String })).id,
    });
    await f.integrationMatcher(integration.id);
    await f.integrationExtractValue(integration.id);
    await f.integrationAlias(project.id, { integrationId: integration.id });
    const runner = await f.runner({ projectId: project.id });
    const task = await f.task(template, {
      userId: user.id,
      scheduleId: schedule.id,
      integrationId: integration.id,
      runnerId: runner.id,
    });
    await f.taskOutput(task.id, 1);
    await f.taskOutput(task.id, 2);
    await f.event(project.id, { userId: user.id, integrationId: integration.id, objectId: task.id });
    return { project, user, environment, integration, task };
  }

  /** Rows left in every table under the project (keyed by table, for a readable failure). */
  async function rowsUnder(p: Awaited<ReturnType<typeof populatedProject>>): Promise<Record<string, number>> {
    const projectId = p.project.id;
    return {
      project__user: await count(ProjectMemberEntity, { projectId }),
      access_key: await count(AccessKeyEntity, { projectId }),
      project__repository: await count(RepositoryEntity, { projectId }),
      project__inventory: await count(InventoryEntity, { projectId }),
      project__environment: await count(EnvironmentEntity, { projectId }),
      project__environment_secret: await count(EnvironmentSecretEntity, { environmentId: p.environment.id }),
      project__view: await count(ViewEntity, { projectId }),
      project__template: await count(TemplateEntity, { projectId }),
      project__template_vault: await count(TemplateVaultEntity, { projectId }),
      project__schedule: await count(ScheduleEntity, { projectId }),
      project__integration: await count(IntegrationEntity, { projectId }),
      project__integration_matcher: await count(IntegrationMatcherEntity, { integrationId: p.integration.id }),
      project__integration_extract_value: await count(IntegrationExtractValueEntity, {
        integrationId: p.integration.id,
      }),
      project__integration_alias: await count(IntegrationAliasEntity, { projectId }),
      runner: await count(RunnerEntity, { projectId }),
      task: await count(TaskEntity, { projectId }),
      task__output: await count(TaskOutputEntity, { taskId: p.task.id }),
      event: await count(EventEntity, { projectId }),
    };
  }

  it('deleting a project deletes everything under it, and nothing else', async () => {
    const doomed = await populatedProject();
    const kept = await populatedProject();
    const keptBefore = await rowsUnder(kept);
    expect(Object.entries(keptBefore).filter(([, n]) => n === 0)).toEqual([]);

    await db.dataSource.getRepository(ProjectEntity).delete(doomed.project.id);

    const left = await rowsUnder(doomed);
    expect(Object.entries(left).filter(([, n]) => n !== 0)).toEqual([]);
    expect(await rowsUnder(kept)).toEqual(keptBefore);
    // Users are not owned by projects.
    expect(await count(UserEntity, { id: doomed.user.id })).toBe(1);
  });

  it('deleting a user keeps their tasks and events, with user_id set to null', async () => {
    const template = await f.template((await f.project()).id);
    const [user, other] = [await f.user(), await f.user()];
    const task = await f.task(template, { userId: user.id });
    const otherTask = await f.task(template, { userId: other.id });
    const event = await f.event(template.projectId, { userId: user.id });
    await f.session(user.id);
    await f.apiToken(user.id);
    await f.projectMember(template.projectId, user.id);

    await db.dataSource.getRepository(UserEntity).delete(user.id);

    const tasks = db.dataSource.getRepository(TaskEntity);
    expect(await tasks.findOneByOrFail({ id: task.id })).toMatchObject({ userId: null, status: task.status });
    expect(await tasks.findOneByOrFail({ id: otherTask.id })).toMatchObject({ userId: other.id });
    expect(await db.dataSource.getRepository(EventEntity).findOneByOrFail({ id: event.id })).toMatchObject({
      userId: null,
    });
    // What belongs to the user goes with them.
    expect(await count(SessionEntity, { userId: user.id })).toBe(0);
    expect(await count(ApiTokenEntity, { userId: user.id })).toBe(0);
    expect(await count(ProjectMemberEntity, { userId: user.id })).toBe(0);
  });

  it('deleting an access key a repository uses is refused (RESTRICT)', async () => {
    const project = await f.project();
    const key = await f.sshKey(project.id);
    const repository = await f.repository(project.id, { sshKeyId: key.id });
    const keys = db.dataSource.getRepository(AccessKeyEntity);

    const error = await pgErrorOf(keys.delete(key.id));
    expect(error).toMatchObject({ code: FOREIGN_KEY_VIOLATION, table: 'project__repository' });
    expect(await count(AccessKeyEntity, { id: key.id })).toBe(1);

    // Once nothing uses it, the same key can go.
    await db.dataSource.getRepository(RepositoryEntity).delete(repository.id);
    await keys.delete(key.id);
    expect(await count(AccessKeyEntity, { id: key.id })).toBe(0);
  });

  it('deleting an access key an inventory, a vault or an integration uses is refused (RESTRICT)', async () => {
    const template = await f.template((await f.project()).id);
    const projectId = template.projectId;
    const [inventoryKey, becomeKey, vaultKey, authKey] = [
      await f.sshKey(projectId),
      await f.accessKey(projectId),
      await f.accessKey(projectId, { type: AccessKeyType.LoginPassword }),
      await f.accessKey(projectId, { type: AccessKeyType.String }),
    ];
    await f.inventory(projectId, { sshKeyId: inventoryKey.id, becomeKeyId: becomeKey.id });
    await f.templateVault(template, { vaultKeyId: vaultKey.id });
    await f.integration(template, { authSecretId: authKey.id });
    const keys = db.dataSource.getRepository(AccessKeyEntity);

    const refusals = [];
    for (const key of [inventoryKey, becomeKey, vaultKey, authKey]) {
      const { code, table } = await pgErrorOf(keys.delete(key.id));
      refusals.push({ code, table });
    }
    expect(refusals).toEqual([
      { code: FOREIGN_KEY_VIOLATION, table: 'project__inventory' },
      { code: FOREIGN_KEY_VIOLATION, table: 'project__inventory' },
      { code: FOREIGN_KEY_VIOLATION, table: 'project__template_vault' },
      { code: FOREIGN_KEY_VIOLATION, table: 'project__integration' },
    ]);
  });
});

describe('task__output: idempotent persistence', () => {
  const INSERT_IGNORING_DUPLICATES = `INSERT INTO task__output (task_id, seq, time, output)
    SELECT $1, seq, time, output FROM unnest($2::int[], $3::timestamptz[], $4::text[]) AS line(seq, time, output)
    ON CONFLICT (task_id, seq) DO NOTHING
    RETURNING seq`;

  async function persist(taskId: number, lines: { seq: number; time: Date; output: string }[]): Promise<number[]> {
    const rows: { seq: number }[] = await db.dataSource.query(INSERT_IGNORING_DUPLICATES, [
      taskId,
      lines.map((l) => l.seq),
      lines.map((l) => l.time),
      lines.map((l) => l.output),
    ]);
    return rows.map((r) => r.seq);
  }

  async function linesOf(taskId: number) {
    const rows = await db.dataSource.getRepository(TaskOutputEntity).find({ where: { taskId }, order: { seq: 'ASC' } });
    return rows.map(({ id, seq, time, output }) => ({ id, seq, time, output }));
  }

  it('ON CONFLICT (task_id, seq) DO NOTHING keeps the first row', async () => {
    const task = await f.task(await f.template((await f.project()).id));
    const first = await f.taskOutput(task.id, 1, { time: new Date('2024-05-06T07:08:09.123Z'), output: 'first' });

    const inserted = await persist(task.id, [{ seq: 1, time: new Date('2024-05-06T07:08:10.456Z'), output: 'second' }]);

    expect(inserted).toEqual([]);
    expect(await linesOf(task.id)).toEqual([
      { id: first.id, seq: 1, time: new Date('2024-05-06T07:08:09.123Z'), output: 'first' },
    ]);
  });

  it('a replayed batch adds only the lines not yet persisted', async () => {
    const task = await f.task(await f.template((await f.project()).id));
    const line = (seq: number, output: string) => ({ seq, time: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)), output });
    expect(await persist(task.id, [line(1, 'one'), line(2, 'two')])).toEqual([1, 2]);

    // A runner reconnects and resends from seq 1, with lines 3 and 4 new.
    const inserted = await persist(task.id, [line(1, 'ONE'), line(2, 'TWO'), line(3, 'three'), line(4, 'four')]);

    expect(inserted).toEqual([3, 4]);
    const lines = await linesOf(task.id);
    expect(lines.map(({ seq, time, output }) => ({ seq, time, output }))).toEqual([
      line(1, 'one'),
      line(2, 'two'),
      line(3, 'three'),
      line(4, 'four'),
    ]);
  });
});
