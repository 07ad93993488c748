import type { EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AccessKeyType,
  EnvironmentSecretType,
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  InventoryType,
  ProjectRole,
  HostKeyMode,
  SftpOperation,
  SyncCompare,
  TaskStatus,
  TemplateType,
} from '@semaphore/models';
import {
  AccessKeyEntity,
  ApiTokenEntity,
  EnvironmentEntity,
  EnvironmentSecretEntity,
  EventEntity,
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  InventoryEntity,
  OptionEntity,
  ProjectEntity,
  ProjectMemberEntity,
  RepositoryEntity,
  RunnerEntity,
  ScheduleEntity,
  SessionEntity,
  TaskEntity,
  TaskOutputEntity,
  TemplateEntity,
  TemplateVaultEntity,
  UserEntity,
  ViewEntity,
  ENTITIES,
} from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';

/** The column properties of an entity, all required (relations are the optional properties). */
type Columns<T> = { [K in keyof T as undefined extends T[K] ? never : K]-?: T[K] };
/** What a test must set for an entity with a generated primary key: every other column. */
type Row<T> = Omit<Columns<T>, 'id'>;

// Dates at millisecond precision, including .001/.999 and one before the epoch.
const D1 = new Date('2021-02-03T04:05:06.789Z');
const D2 = new Date('2022-12-31T23:59:59.999Z');
const D3 = new Date('1969-07-20T20:17:40.001Z');
/** Unicode (accents, CJK, emoji), CRLF and LF newlines, tab, quotes and a backslash. */
const TEXT = 'Ünïcödé ✓ 日本語 🚀\nsecond line\r\n\ttabbed "double" \'single\' \\ backslash\n';
const LINE = 'Zoë’s ünïcode 🚀 line';
const HASH_A = 'a'.repeat(40);
const HASH_B = '0123456789abcdef'.repeat(4);
const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
const JSON_OBJECT = {
  plan: true,
  auto_approve: false,
  count: -3,
  ratio: 0.25,
  empty: '',
  nothing: null,
  text: 'ligne 1\nligne 2 — ü 🚀',
  list: [1, 'two', { three: [3] }, null, false],
  nested: { deep: { deeper: ['x'] } },
};

let db: TestDatabase;
let f: Factories;

beforeAll(async () => {
  db = await createTestDatabase();
  f = new Factories(db.dataSource);
});

afterAll(() => db.drop());

/** Fails, naming the column, if `row` misses a column, leaves a nullable one null or a defaulted one at its default. */
function expectEveryColumnSetOffDefault<T extends ObjectLiteral>(target: EntityTarget<T>, row: Partial<T>): void {
  const columns = db.dataSource.getMetadata(target).columns.filter((c) => !(c.isPrimary && c.isGenerated));
  const values: Record<string, unknown> = row;
  const problems: string[] = [];
  for (const column of columns) {
    const name = column.propertyName;
    const value = values[name];
    if (!(name in values)) problems.push(`${name}: not set`);
    else if (value === null) problems.push(`${name}: null`);
    else if (typeof column.default === 'function') {
      // Function defaults are SQL literals such as `'[]'`.
      if (`'${JSON.stringify(value)}'` === column.default()) problems.push(`${name}: equals the default`);
    } else if (column.default !== undefined && value === column.default) problems.push(`${name}: equals the default`);
  }
  expect(problems).toEqual([]);
}

/** Inserts `row`, reads it back with a fresh query and expects exactly the same columns and values. */
async function expectRoundTrip<T extends ObjectLiteral>(target: EntityTarget<T>, row: NoInfer<Partial<T>>) {
  const repository = db.dataSource.getRepository(target);
  // A copy: insert() writes generated values back into the object it is given.
  const { identifiers } = await repository.insert({ ...row } as QueryDeepPartialEntity<T>);
  const key = identifiers[0] as FindOptionsWhere<T>;
  const found = await repository.findOneByOrFail(key);
  expect(found).toBeInstanceOf(repository.target as abstract new () => T);
  expect({ ...found }).toStrictEqual({ ...row, ...key });
}

/** Round-trips `row` with every column set, then `second` (for unique columns) with every nullable column null. */
async function expectBothRoundTrips<T extends ObjectLiteral>(
  target: EntityTarget<T>,
  row: NoInfer<Partial<T>>,
  second: NoInfer<Partial<T>>,
): Promise<void> {
  expectEveryColumnSetOffDefault(target, row);
  await expectRoundTrip(target, row);
  const nullable = db.dataSource
    .getMetadata(target)
    .columns.filter((c) => c.isNullable)
    .map((c) => c.propertyName);
  if (nullable.length === 0) return;
  const nulls = Object.fromEntries(nullable.map((name) => [name, null])) as Partial<T>;
  await expectRoundTrip(target, { ...second, ...nulls });
}

/** Entities given a round-trip test below, recorded while the tests are collected. */
const tested = new Set<string>();

function entityTest(target: { name: string }, body: () => Promise<void>): void {
  tested.add(target.name);
  it(target.name, body);
}

describe('every entity round-trips every column', () => {
  it('covers every entity the DataSource knows', () => {
    expect([...tested].sort()).toEqual(ENTITIES.map((e) => e.name).sort());
  });

  entityTest(UserEntity, async () => {
    const n = f.next();
    const row = (i: number): Row<UserEntity> => ({
      created: D1,
      username: `Zoë.Ünïcode-${n}-${i}`,
      name: LINE,
      email: `zoë+tag-${n}-${i}@exämple.test`,
      password: BCRYPT,
      admin: true,
      external: true,
      alert: true,
      totpSecret: TEXT,
      totpRecoveryHashes: [BCRYPT, `${BCRYPT.slice(0, -1)}X`, 'ü 🚀'],
    });
    await expectBothRoundTrips(UserEntity, row(1), row(2));
  });

  entityTest(SessionEntity, async () => {
    const user = await f.user();
    const row: Row<SessionEntity> = {
      userId: user.id,
      created: D1,
      lastActive: D2,
      ip: '2001:db8::ff00:42:8329',
      userAgent: TEXT,
      expired: true,
      verified: false,
    };
    await expectBothRoundTrips(SessionEntity, row, row);
  });

  entityTest(ApiTokenEntity, async () => {
    const user = await f.user();
    const row: Columns<ApiTokenEntity> = {
      id: HASH_B.replace('0', String(f.next() % 10)),
      userId: user.id,
      created: D3,
      expired: true,
      prefix: 'ünï🚀prefix',
    };
    await expectBothRoundTrips(ApiTokenEntity, row, row);
  });

  entityTest(ProjectEntity, async () => {
    const row: Row<ProjectEntity> = {
      created: D1,
      name: LINE,
      alert: true,
      alertChat: '-100123456789 💬',
      maxParallelTasks: 7,
      type: 'premium',
    };
    await expectBothRoundTrips(ProjectEntity, row, row);
  });

  entityTest(ProjectMemberEntity, async () => {
    const [project, user] = [await f.project(), await f.user()];
    const row: Row<ProjectMemberEntity> = {
      projectId: project.id,
      userId: user.id,
      role: ProjectRole.Manager,
      created: D2,
    };
    await expectBothRoundTrips(ProjectMemberEntity, row, row);
  });

  entityTest(AccessKeyEntity, async () => {
    const project = await f.project();
    const row: Row<AccessKeyEntity> = {
      projectId: project.id,
      name: LINE,
      type: AccessKeyType.Ssh,
      secret: `-----BEGIN CIPHERTEXT-----\n${TEXT}-----END CIPHERTEXT-----\n`,
      created: D1,
    };
    await expectBothRoundTrips(AccessKeyEntity, row, row);
  });

  entityTest(RepositoryEntity, async () => {
    const project = await f.project();
    const key = await f.sshKey(project.id);
    const row: Row<RepositoryEntity> = {
      projectId: project.id,
      name: LINE,
      gitUrl: 'git@github.com:örg/rëpo 🚀.git',
      gitBranch: 'feature/straße',
      sshKeyId: key.id,
    };
    await expectBothRoundTrips(RepositoryEntity, row, row);
  });

  entityTest(InventoryEntity, async () => {
    const project = await f.project();
    const [sshKey, becomeKey] = [await f.sshKey(project.id), await f.accessKey(project.id)];
    const repository = await f.repository(project.id);
    const row: Row<InventoryEntity> = {
      projectId: project.id,
      name: LINE,
      type: InventoryType.StaticYaml,
      inventory: `all:\n  hosts:\n    ünï.example.test:\n      note: "${LINE}"\n`,
      sshKeyId: sshKey.id,
      becomeKeyId: becomeKey.id,
      holderId: 424242,
      repositoryId: repository.id,
      runnerTag: 'gpu-ü',
    };
    await expectBothRoundTrips(InventoryEntity, row, row);
  });

  entityTest(EnvironmentEntity, async () => {
    const project = await f.project();
    const row: Row<EnvironmentEntity> = {
      projectId: project.id,
      name: LINE,
      password: 'pässwörd 🔑',
      // Text, not jsonb: kept byte for byte, whitespace and key order included.
      json: '{ "b": 1,\n  "a": "ü 🚀" }',
      env: '{"PATH":"/usr/bin","MOTD":"line1\\nline2"}',
    };
    await expectBothRoundTrips(EnvironmentEntity, row, row);
  });

  entityTest(EnvironmentSecretEntity, async () => {
    const environment = await f.environment((await f.project()).id);
    const row: Row<EnvironmentSecretEntity> = {
      environmentId: environment.id,
      type: EnvironmentSecretType.Env,
      name: 'DATABASE_PASSWORD',
      secret: TEXT,
    };
    await expectBothRoundTrips(EnvironmentSecretEntity, row, row);
  });

  entityTest(TemplateEntity, async () => {
    const project = await f.project();
    const [repository, inventory] = [await f.repository(project.id), await f.inventory(project.id)];
    const [environment, view] = [await f.environment(project.id), await f.view(project.id)];
    const build = await f.template(project.id, { type: TemplateType.Build });
    const row: Row<TemplateEntity> = {
      projectId: project.id,
      inventoryId: inventory.id,
      repositoryId: repository.id,
      environmentId: environment.id,
      name: LINE,
      playbook: 'playbooks/déploiement 🚀.yml',
      arguments: '["--check", "-e", "x=\\"ü\\"\\n"]',
      allowOverrideArgsInTask: true,
      allowOverrideBranchInTask: true,
      allowOverrideInventoryInTask: true,
      allowParallelTasks: true,
      description: TEXT,
      type: TemplateType.Deploy,
      startVersion: '1.0.0-ü',
      buildTemplateId: build.id,
      viewId: view.id,
      autorun: true,
      gitBranch: 'release/2.0',
      surveyVars: [
        { name: 'region', title: 'Région 🌍', required: true, type: 'enum', description: TEXT, values: null },
        {
          name: 'size',
          title: 'Size',
          required: false,
          type: 'enum',
          description: '',
          values: [
            { name: 'Small', value: 's' },
            { name: 'Lärge', value: 'l\n' },
          ],
        },
      ],
      suppressSuccessAlerts: true,
      app: 'terraform',
      runnerTag: 'linux',
      taskParams: JSON_OBJECT,
      sshOptions: {
        command: 'echo "ü" && uptime',
        script: '',
        operation: SftpOperation.Sync,
        source: 'site/',
        destination: '/srv/www ü',
        compare: SyncCompare.Checksum,
        deleteExtraneous: true,
        parallelism: 5,
        tolerateFailures: 1,
        connectTimeoutMs: 10_000,
        idleTimeoutMs: 0,
        commandTimeoutMs: 60_000,
        retry: { attempts: 3, backoffMs: 500, backoffFactor: 2, retryOn: ['SSH_TIMEOUT'] },
        hostKeyMode: HostKeyMode.AcceptNew,
      },
      created: D3,
    };
    await expectBothRoundTrips(TemplateEntity, row, row);
  });

  entityTest(TemplateVaultEntity, async () => {
    const template = await f.template((await f.project()).id);
    const key = await f.accessKey(template.projectId, { type: AccessKeyType.LoginPassword });
    const row: Row<TemplateVaultEntity> = {
      projectId: template.projectId,
      templateId: template.id,
      vaultKeyId: key.id,
      name: 'vault-ü',
    };
    await expectBothRoundTrips(TemplateVaultEntity, row, row);
  });

  entityTest(ScheduleEntity, async () => {
    const template = await f.template((await f.project()).id);
    const row: Row<ScheduleEntity> = {
      projectId: template.projectId,
      templateId: template.id,
      cronFormat: '0 3 * * 1-5',
      runAt: D2,
      name: LINE,
      active: false,
      repositoryId: template.repositoryId,
      lastCommitHash: HASH_A,
      created: D1,
    };
    await expectBothRoundTrips(ScheduleEntity, row, row);
  });

  entityTest(ViewEntity, async () => {
    const project = await f.project();
    const row: Row<ViewEntity> = { projectId: project.id, title: LINE, position: -2 };
    await expectBothRoundTrips(ViewEntity, row, row);
  });

  entityTest(TaskEntity, async () => {
    const template = await f.template((await f.project()).id);
    const [user, runner, schedule] = [await f.user(), await f.runner(), await f.schedule(template)];
    const [integration, build] = [await f.integration(template), await f.task(template)];
    const row: Row<TaskEntity> = {
      templateId: template.id,
      projectId: template.projectId,
      status: TaskStatus.WaitingConfirmation,
      debug: true,
      dryRun: true,
      diff: true,
      playbook: 'other.yml',
      environment: '{"k": "v ü",\n "n": 1}',
      hostsLimit: 'web*:!db-ü',
      arguments: '["-vvv"]',
      gitBranch: 'hotfix/ü',
      userId: user.id,
      integrationId: integration.id,
      scheduleId: schedule.id,
      created: D1,
      start: D2,
      end: D3,
      message: TEXT,
      commitHash: HASH_B,
      commitMessage: TEXT,
      buildTaskId: build.id,
      version: '1.2.3-ü',
      inventoryId: template.inventoryId,
      params: JSON_OBJECT,
      runnerTag: 'gpu',
      runnerId: runner.id,
      claimGeneration: 3,
      claimedAt: D2,
      errorCode: 'SSH_AUTHENTICATION_FAILED',
      lastSeq: 42,
      retryOfTaskId: build.id,
      progress: {
        time: '2026-12-03T07:00:00.000Z',
        bytes_done: 2 ** 40,
        bytes_total: 2 ** 41,
        files_done: 3,
        files_total: null,
        rate: 1.5e8,
        eta: 7330,
        paused: true,
      },
    };
    await expectBothRoundTrips(TaskEntity, row, row);
  });

  entityTest(TaskOutputEntity, async () => {
    const task = await f.task(await f.template((await f.project()).id));
    const row = (seq: number): Row<TaskOutputEntity> => ({ taskId: task.id, seq, time: D3, output: TEXT });
    await expectBothRoundTrips(TaskOutputEntity, row(7), row(8));
  });

  entityTest(EventEntity, async () => {
    const template = await f.template((await f.project()).id);
    const [user, integration] = [await f.user(), await f.integration(template)];
    const row: Row<EventEntity> = {
      projectId: template.projectId,
      userId: user.id,
      integrationId: integration.id,
      objectId: template.id,
      objectType: 'template',
      description: TEXT,
      created: D2,
    };
    await expectBothRoundTrips(EventEntity, row, row);
  });

  entityTest(RunnerEntity, async () => {
    const project = await f.project();
    const row = (i: number): Row<RunnerEntity> => ({
      projectId: project.id,
      name: LINE,
      tokenHash: `${f.next()}-${i}`.padEnd(64, 'f'),
      registrationTokenHash: HASH_B,
      registrationTokenExpires: D2,
      webhook: 'https://hooks.example.test/ü?x=1&y=🚀',
      maxParallelTasks: 5,
      active: false,
      tags: ['linux', 'gpu', 'ü 🚀'],
      lastSeen: D1,
      version: '2.10.0',
      created: D3,
    });
    await expectBothRoundTrips(RunnerEntity, row(1), row(2));
  });

  entityTest(IntegrationEntity, async () => {
    const template = await f.template((await f.project()).id);
    const key = await f.accessKey(template.projectId, { type: AccessKeyType.String });
    const row: Row<IntegrationEntity> = {
      projectId: template.projectId,
      name: LINE,
      templateId: template.id,
      authMethod: IntegrationAuthMethod.Hmac,
      authSecretId: key.id,
      authHeader: 'X-Hub-Signature-256',
      searchable: true,
      taskParams: JSON_OBJECT,
    };
    await expectBothRoundTrips(IntegrationEntity, row, row);
  });

  entityTest(IntegrationMatcherEntity, async () => {
    const integration = await f.integration(await f.template((await f.project()).id));
    const row: Row<IntegrationMatcherEntity> = {
      integrationId: integration.id,
      name: LINE,
      matchType: IntegrationMatchType.Body,
      method: IntegrationMatchMethod.Contains,
      bodyDataType: IntegrationBodyDataType.String,
      key: 'repository.full_name',
      value: TEXT,
    };
    await expectBothRoundTrips(IntegrationMatcherEntity, row, row);
  });

  entityTest(IntegrationExtractValueEntity, async () => {
    const integration = await f.integration(await f.template((await f.project()).id));
    const row: Row<IntegrationExtractValueEntity> = {
      integrationId: integration.id,
      name: LINE,
      valueSource: IntegrationMatchType.Header,
      bodyDataType: IntegrationBodyDataType.String,
      key: 'X-Request-Ïd',
      variable: 'REQUEST_ID',
    };
    await expectBothRoundTrips(IntegrationExtractValueEntity, row, row);
  });

  entityTest(IntegrationAliasEntity, async () => {
    const integration = await f.integration(await f.template((await f.project()).id));
    const row = (i: number): Row<IntegrationAliasEntity> => ({
      alias: `ÄLIAS-${f.next()}-${i}`,
      projectId: integration.projectId,
      integrationId: integration.id,
    });
    await expectBothRoundTrips(IntegrationAliasEntity, row(1), row(2));
  });

  entityTest(OptionEntity, async () => {
    const row: Columns<OptionEntity> = { key: `apps.ünï.${f.next()}`, value: TEXT };
    await expectBothRoundTrips(OptionEntity, row, row);
  });
});
