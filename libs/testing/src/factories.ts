import { createHash } from 'node:crypto';
import type { DataSource, DeepPartial, EntityTarget, ObjectLiteral } from 'typeorm';
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
} from '@semaphore/persistence';
import {
  AccessKeyType,
  AppId,
  EnvironmentSecretType,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  InventoryType,
  ProjectRole,
  TaskStatus,
  TemplateType,
} from '@semaphore/models';

/** Shape of a bcrypt hash (`$2a$10$` + 53 characters); never a real one: factories must stay fast. */
const PLACEHOLDER_BCRYPT = '$2a$10$abcdefghijklmnopqrstuuN1.0gq7eSHD3Gd7vMrLDrPwXxGqRYZa';

/** Looks like the AES-256-GCM ciphertext the api stores (base64); the tests never decrypt it. */
const PLACEHOLDER_CIPHERTEXT = 'djE6q2Nr3vXo0p1lTkxWb0dVQmRqZ2g5c2VjcmV0LWNpcGhlcnRleHQ=';

/** Process-wide, so two Factories on the same database still produce distinct unique values. */
let counter = 0;

/**
 * Inserts valid rows for integration tests. Every method inserts one row with realistic defaults (unique where the
 * schema has a unique index), applies `overrides` on top, and returns the inserted entity. Parent rows that are
 * needed and not given are created too.
 */
export class Factories {
  constructor(private readonly dataSource: DataSource) {}

  /** A fresh number for unique names; also handy in tests. */
  next(): number {
    return ++counter;
  }

  user(overrides: Partial<UserEntity> = {}): Promise<UserEntity> {
    const n = this.next();
    return this.insert(UserEntity, {
      username: `user${n}`,
      name: `Test User ${n}`,
      email: `user${n}@example.test`,
      password: PLACEHOLDER_BCRYPT,
      ...overrides,
    });
  }

  session(userId: number, overrides: Partial<SessionEntity> = {}): Promise<SessionEntity> {
    return this.insert(SessionEntity, {
      userId,
      lastActive: new Date(),
      ip: '127.0.0.1',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) jest',
      ...overrides,
    });
  }

  /** `id` is the SHA-256 hex of a made-up token, as the api stores it. */
  apiToken(userId: number, overrides: Partial<ApiTokenEntity> = {}): Promise<ApiTokenEntity> {
    const token = `test-api-token-${this.next()}`;
    return this.insert(ApiTokenEntity, { id: sha256(token), userId, prefix: token.slice(0, 8), ...overrides });
  }

  project(overrides: Partial<ProjectEntity> = {}): Promise<ProjectEntity> {
    return this.insert(ProjectEntity, { name: `Project ${this.next()}`, ...overrides });
  }

  projectMember(
    projectId: number,
    userId: number,
    overrides: Partial<ProjectMemberEntity> = {},
  ): Promise<ProjectMemberEntity> {
    return this.insert(ProjectMemberEntity, { projectId, userId, role: ProjectRole.Owner, ...overrides });
  }

  /** A `none` key by default; `projectId` null makes a global key. */
  accessKey(projectId: number | null, overrides: Partial<AccessKeyEntity> = {}): Promise<AccessKeyEntity> {
    return this.insert(AccessKeyEntity, {
      projectId,
      name: `Key ${this.next()}`,
      type: AccessKeyType.None,
      secret: null,
      ...overrides,
    });
  }

  /** An SSH key with a placeholder ciphertext. */
  sshKey(projectId: number | null, overrides: Partial<AccessKeyEntity> = {}): Promise<AccessKeyEntity> {
    return this.accessKey(projectId, { type: AccessKeyType.Ssh, secret: PLACEHOLDER_CIPHERTEXT, ...overrides });
  }

  /** Creates a `none` access key unless `sshKeyId` is given. */
  async repository(projectId: number, overrides: Partial<RepositoryEntity> = {}): Promise<RepositoryEntity> {
    const n = this.next();
    const sshKeyId = overrides.sshKeyId ?? (await this.accessKey(projectId)).id;
    return this.insert(RepositoryEntity, {
      projectId,
      name: `Repository ${n}`,
      gitUrl: `https://git.example.test/team/repo-${n}.git`,
      gitBranch: 'main',
      sshKeyId,
      ...overrides,
    });
  }

  inventory(projectId: number, overrides: Partial<InventoryEntity> = {}): Promise<InventoryEntity> {
    return this.insert(InventoryEntity, {
      projectId,
      name: `Inventory ${this.next()}`,
      type: InventoryType.Static,
      inventory: 'localhost ansible_connection=local\n',
      ...overrides,
    });
  }

  environment(projectId: number, overrides: Partial<EnvironmentEntity> = {}): Promise<EnvironmentEntity> {
    return this.insert(EnvironmentEntity, {
      projectId,
      name: `Environment ${this.next()}`,
      json: '{"greeting":"hello"}',
      env: '{"APP_ENV":"test"}',
      ...overrides,
    });
  }

  environmentSecret(
    environmentId: number,
    overrides: Partial<EnvironmentSecretEntity> = {},
  ): Promise<EnvironmentSecretEntity> {
    return this.insert(EnvironmentSecretEntity, {
      environmentId,
      type: EnvironmentSecretType.Var,
      name: `SECRET_${this.next()}`,
      secret: PLACEHOLDER_CIPHERTEXT,
      ...overrides,
    });
  }

  view(projectId: number, overrides: Partial<ViewEntity> = {}): Promise<ViewEntity> {
    const n = this.next();
    return this.insert(ViewEntity, { projectId, title: `View ${n}`, position: n, ...overrides });
  }

  /**
   * An ansible template. Creates a repository, an inventory and an environment unless `repositoryId`,
   * `inventoryId`, `environmentId` are given (pass null for the nullable ones to leave them unset).
   */
  async template(projectId: number, overrides: Partial<TemplateEntity> = {}): Promise<TemplateEntity> {
    const repositoryId = overrides.repositoryId ?? (await this.repository(projectId)).id;
    const inventoryId =
      overrides.inventoryId !== undefined ? overrides.inventoryId : (await this.inventory(projectId)).id;
    const environmentId =
      overrides.environmentId !== undefined ? overrides.environmentId : (await this.environment(projectId)).id;
    return this.insert(TemplateEntity, {
      projectId,
      repositoryId,
      inventoryId,
      environmentId,
      name: `Template ${this.next()}`,
      playbook: 'site.yml',
      type: TemplateType.Default,
      app: AppId.Ansible,
      ...overrides,
    });
  }

  /** Creates a `login_password` vault key unless `vaultKeyId` is given. */
  async templateVault(
    template: TemplateEntity,
    overrides: Partial<TemplateVaultEntity> = {},
  ): Promise<TemplateVaultEntity> {
    const vaultKeyId =
      overrides.vaultKeyId ??
      (await this.accessKey(template.projectId, { type: AccessKeyType.LoginPassword, secret: PLACEHOLDER_CIPHERTEXT }))
        .id;
    return this.insert(TemplateVaultEntity, {
      projectId: template.projectId,
      templateId: template.id,
      vaultKeyId,
      name: `vault${this.next()}`,
      ...overrides,
    });
  }

  schedule(template: TemplateEntity, overrides: Partial<ScheduleEntity> = {}): Promise<ScheduleEntity> {
    return this.insert(ScheduleEntity, {
      projectId: template.projectId,
      templateId: template.id,
      cronFormat: '*/5 * * * *',
      name: `Schedule ${this.next()}`,
      ...overrides,
    });
  }

  /** A waiting task of `template` (same project, inventory and playbook). */
  task(template: TemplateEntity, overrides: Partial<TaskEntity> = {}): Promise<TaskEntity> {
    return this.insert(TaskEntity, {
      templateId: template.id,
      projectId: template.projectId,
      inventoryId: template.inventoryId,
      status: TaskStatus.Waiting,
      playbook: template.playbook,
      ...overrides,
    });
  }

  taskOutput(taskId: number, seq: number, overrides: Partial<TaskOutputEntity> = {}): Promise<TaskOutputEntity> {
    return this.insert(TaskOutputEntity, {
      taskId,
      seq,
      time: new Date(),
      output: `TASK [line ${seq}] ok: [localhost]`,
      ...overrides,
    });
  }

  /** `projectId` null makes a global event (e.g. a user change). */
  event(projectId: number | null, overrides: Partial<EventEntity> = {}): Promise<EventEntity> {
    return this.insert(EventEntity, {
      projectId,
      objectType: 'task',
      description: `Event ${this.next()}`,
      ...overrides,
    });
  }

  /** A global runner (no project) with a unique token hash. */
  runner(overrides: Partial<RunnerEntity> = {}): Promise<RunnerEntity> {
    const n = this.next();
    return this.insert(RunnerEntity, {
      projectId: null,
      name: `runner-${n}`,
      tokenHash: sha256(`test-runner-token-${n}`),
      ...overrides,
    });
  }

  integration(template: TemplateEntity, overrides: Partial<IntegrationEntity> = {}): Promise<IntegrationEntity> {
    return this.insert(IntegrationEntity, {
      projectId: template.projectId,
      templateId: template.id,
      name: `Integration ${this.next()}`,
      ...overrides,
    });
  }

  integrationMatcher(
    integrationId: number,
    overrides: Partial<IntegrationMatcherEntity> = {},
  ): Promise<IntegrationMatcherEntity> {
    return this.insert(IntegrationMatcherEntity, {
      integrationId,
      name: `Matcher ${this.next()}`,
      matchType: IntegrationMatchType.Header,
      method: IntegrationMatchMethod.Equals,
      bodyDataType: IntegrationBodyDataType.Json,
      key: 'X-GitHub-Event',
      value: 'push',
      ...overrides,
    });
  }

  integrationExtractValue(
    integrationId: number,
    overrides: Partial<IntegrationExtractValueEntity> = {},
  ): Promise<IntegrationExtractValueEntity> {
    return this.insert(IntegrationExtractValueEntity, {
      integrationId,
      name: `Extract ${this.next()}`,
      valueSource: IntegrationMatchType.Body,
      bodyDataType: IntegrationBodyDataType.Json,
      key: 'head_commit.id',
      variable: 'COMMIT_ID',
      ...overrides,
    });
  }

  /** A project-level alias unless `integrationId` is given. */
  integrationAlias(
    projectId: number,
    overrides: Partial<IntegrationAliasEntity> = {},
  ): Promise<IntegrationAliasEntity> {
    return this.insert(IntegrationAliasEntity, {
      projectId,
      integrationId: null,
      alias: sha256(`test-alias-${this.next()}`).slice(0, 32),
      ...overrides,
    });
  }

  option(overrides: Partial<OptionEntity> = {}): Promise<OptionEntity> {
    return this.insert(OptionEntity, { key: `test.option_${this.next()}`, value: 'true', ...overrides });
  }

  private insert<T extends ObjectLiteral>(target: EntityTarget<T>, values: NoInfer<DeepPartial<T>>): Promise<T> {
    const repository = this.dataSource.getRepository(target);
    return repository.save(repository.create(values));
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
