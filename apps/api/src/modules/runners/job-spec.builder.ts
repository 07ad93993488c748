import {
  AccessKeyType,
  EnvironmentSecretType,
  InventoryType,
  TemplateType,
  type JobInventory,
  type JobRepository,
  type JobSpec,
  type JobVault,
  type KeyMaterial,
} from '@semaphore/models';
import type {
  AccessKeyEntity,
  InventoryEntity,
  RepositoryEntity,
  TaskEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import type { AccessKeySecret } from '../../crypto';
import { buildExtraVars, type TaskDetails } from '@semaphore/models';
import { TASK_SECRET_PARAM } from '../task-queue/task-secret';
import { KnownHostsError, knownHostLines, type KnownHostsText } from './known-hosts';

/** Where the task-queue module keeps the survey secrets of a task: SecretCipher ciphertext of a JSON object text. */

/** What a claim loads from PostgreSQL (keys still encrypted). */
export interface ClaimContext {
  task: TaskEntity;
  /** With `vaults.vaultKey`, `repository.sshKey` and `environment.secrets`. */
  template: TemplateEntity;
  /** With `sshKey`, `becomeKey` and `repository.sshKey`. */
  inventory: InventoryEntity | null;
  username: string;
  /** The version of the build task a deploy task deploys, when the task itself has none. */
  buildVersion: string | null;
  /** Known hosts texts (the global option, then the project's); none means no SSH host is trusted. */
  knownHosts?: KnownHostsText[];
}

/** The part of SecretCipher the builder needs. */
export interface SecretReader {
  decrypt(stored: string): string;
  decryptJson(stored: string): unknown;
  decryptAccessKeySecret(type: AccessKeyType, stored: string | null): AccessKeySecret | null;
}

export enum JobSpecErrorCode {
  SecretDecryptionFailed = 'SECRET_DECRYPTION_FAILED',
  InvalidTask = 'INVALID_TASK',
}

/** A task that cannot become a job; the message names the object, never a secret. */
export class JobSpecError extends Error {
  constructor(
    readonly code: JobSpecErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'JobSpecError';
  }
}

/**
 * The JobSpec of a claimed task, secrets decrypted. Pure: everything comes from `ctx`, the claim and `secrets`.
 * @throws JobSpecError
 */
export function buildJobSpec(
  ctx: ClaimContext,
  claim: { claimGeneration: number; lastSeq: number },
  secrets: SecretReader,
  webRoot: string,
): JobSpec {
  const { task, template } = ctx;
  const repository = template.repository;
  if (!repository) throw new JobSpecError(JobSpecErrorCode.InvalidTask, 'the template has no repository');
  const environment = template.environment ?? null;
  const envSecrets = environment?.secrets ?? [];
  const version = task.version ?? ctx.buildVersion;
  const { params, secretVars } = splitParams(task, secrets);
  const knownHosts = checkedKnownHosts(ctx.knownHosts ?? []);
  const secretValues = (type: EnvironmentSecretType) =>
    Object.fromEntries(
      envSecrets
        .filter((s) => s.type === type)
        .map((s) => [s.name, decryptOr(() => secrets.decrypt(s.secret), `environment secret ${s.name}`)]),
    );
  return {
    taskId: task.id,
    projectId: task.projectId,
    templateId: template.id,
    claimGeneration: claim.claimGeneration,
    firstSeq: claim.lastSeq + 1,
    version,
    app: template.app,
    username: ctx.username,
    playbook: task.playbook || template.playbook,
    arguments: [
      ...stringArray(template.arguments, 'template arguments'),
      ...(template.allowOverrideArgsInTask ? stringArray(task.arguments, 'task arguments') : []),
    ],
    debug: task.debug,
    dryRun: task.dryRun,
    diff: task.diff,
    limit: task.hostsLimit,
    extraVars: buildExtraVars({
      // Upstream quirk kept: the template environment's keys win over the task's own `environment` JSON.
      environment: {
        ...jsonObject(task.environment, 'task environment'),
        ...jsonObject(environment?.json, 'environment json'),
      },
      secretVars,
      environmentSecretVars: secretValues(EnvironmentSecretType.Var),
      taskDetails: taskDetails(ctx, version, webRoot),
    }),
    env: {
      ...stringMap(jsonObject(environment?.env, 'environment env')),
      ...secretValues(EnvironmentSecretType.Env),
      ...buildDeployEnv(template.type, task.version, version),
    },
    repository: jobRepository(
      repository,
      task.gitBranch || template.gitBranch || repository.gitBranch,
      secrets,
      knownHosts,
    ),
    inventory: ctx.inventory ? jobInventory(ctx.inventory, secrets, knownHosts) : null,
    vaults: (template.vaults ?? []).map((v): JobVault => {
      const key = keyMaterial(v.vaultKey, secrets);
      if (key.type !== 'login_password') {
        throw new JobSpecError(JobSpecErrorCode.InvalidTask, `vault ${v.name ?? 'default'} needs a login_password key`);
      }
      return { name: v.name || 'default', password: key.password };
    }),
    params: { ...(template.taskParams ?? {}), ...params },
    sshOperation: template.sshOptions ?? null,
  };
}

function taskDetails(ctx: ClaimContext, version: string | null, webRoot: string): TaskDetails {
  const { task, template } = ctx;
  const details: TaskDetails = {
    id: task.id,
    username: ctx.username,
    url: `${webRoot}project/${task.projectId}/history?t=${task.id}`,
  };
  if (task.message) details.message = task.message;
  if (template.type === TemplateType.Build) {
    details.type = 'build';
    if (task.version) details.target_version = task.version;
  } else if (template.type === TemplateType.Deploy) {
    details.type = 'deploy';
    if (version) details.incoming_version = version;
  }
  return details;
}

function buildDeployEnv(type: TemplateType, target: string | null, incoming: string | null): Record<string, string> {
  if (type === TemplateType.Build) {
    return { SEMAPHORE_TASK_TYPE: 'build', ...(target ? { SEMAPHORE_TASK_TARGET_VERSION: target } : {}) };
  }
  if (type === TemplateType.Deploy) {
    return { SEMAPHORE_TASK_TYPE: 'deploy', ...(incoming ? { SEMAPHORE_TASK_INCOMING_VERSION: incoming } : {}) };
  }
  return {};
}

/** The task's params without the survey secrets, and the survey secrets decrypted. */
function splitParams(task: TaskEntity, secrets: SecretReader) {
  const { [TASK_SECRET_PARAM]: stored, ...params } = task.params ?? {};
  if (stored === undefined || stored === null || stored === '') return { params, secretVars: {} };
  if (typeof stored !== 'string') throw new JobSpecError(JobSpecErrorCode.InvalidTask, 'the task secret is malformed');
  const value = decryptOr(() => secrets.decryptJson(stored), 'the task secret');
  if (!isPlainObject(value)) throw new JobSpecError(JobSpecErrorCode.InvalidTask, 'the task secret is not an object');
  return { params, secretVars: value };
}

function checkedKnownHosts(texts: KnownHostsText[]): string[] {
  try {
    return knownHostLines(texts);
  } catch (err) {
    if (err instanceof KnownHostsError)
      throw new JobSpecError(JobSpecErrorCode.InvalidTask, `known hosts ${err.message}`);
    throw err;
  }
}

/**
 * The repository of a "run on a new commit" schedule as a runner needs it to look the branch up (key decrypted).
 * @throws JobSpecError
 */
export function commitCheckRepository(
  repository: RepositoryEntity,
  knownHosts: KnownHostsText[],
  secrets: SecretReader,
): JobRepository {
  return jobRepository(repository, repository.gitBranch, secrets, checkedKnownHosts(knownHosts));
}

function jobRepository(
  repository: RepositoryEntity,
  branch: string,
  secrets: SecretReader,
  knownHosts: string[],
): JobRepository {
  return { url: repository.gitUrl, branch, key: keyMaterial(repository.sshKey, secrets), knownHosts };
}

/** `file` inventories with a `repository_id` carry that repository (its own branch, as upstream). */
function jobInventory(inventory: InventoryEntity, secrets: SecretReader, knownHosts: string[]): JobInventory {
  const inOwnRepository = inventory.type === InventoryType.File && (inventory.repositoryId ?? null) !== null;
  const own = inOwnRepository ? inventory.repository : null;
  if (inOwnRepository && !own) {
    throw new JobSpecError(JobSpecErrorCode.InvalidTask, `the repository of inventory ${inventory.name} is gone`);
  }
  return {
    type: inventory.type,
    inventory: inventory.inventory,
    sshKey: keyMaterial(inventory.sshKey, secrets),
    becomeKey: keyMaterial(inventory.becomeKey, secrets),
    repository: own ? jobRepository(own, own.gitBranch, secrets, knownHosts) : null,
    knownHosts,
  };
}

/** The decrypted credentials of a key; `none` (or no key) gives `{type: 'none'}`. */
export function keyMaterial(key: AccessKeyEntity | null | undefined, secrets: SecretReader): KeyMaterial {
  if (!key || key.type === AccessKeyType.None) return { type: 'none' };
  if (key.type === AccessKeyType.String) {
    throw new JobSpecError(JobSpecErrorCode.InvalidTask, `access key ${key.name} cannot be used as a credential`);
  }
  const secret = decryptOr(() => secrets.decryptAccessKeySecret(key.type, key.secret), `access key ${key.name}`);
  if (secret?.type === AccessKeyType.Ssh) {
    return {
      type: 'ssh',
      login: secret.value.login,
      privateKey: secret.value.private_key,
      passphrase: secret.value.passphrase,
    };
  }
  if (secret?.type === AccessKeyType.LoginPassword) {
    return { type: 'login_password', login: secret.value.login, password: secret.value.password };
  }
  throw new JobSpecError(JobSpecErrorCode.SecretDecryptionFailed, `access key ${key.name} has no stored secret`);
}

function decryptOr<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch {
    throw new JobSpecError(JobSpecErrorCode.SecretDecryptionFailed, `${what} could not be decrypted`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonObject(text: string | null | undefined, what: string): Record<string, unknown> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JobSpecError(JobSpecErrorCode.InvalidTask, `${what} is not valid JSON`);
  }
  if (value === null) return {};
  if (!isPlainObject(value)) throw new JobSpecError(JobSpecErrorCode.InvalidTask, `${what} is not a JSON object`);
  return value;
}

function stringArray(text: string | null, what: string): string[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JobSpecError(JobSpecErrorCode.InvalidTask, `${what} are not valid JSON`);
  }
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) {
    throw new JobSpecError(JobSpecErrorCode.InvalidTask, `${what} are not a JSON array of strings`);
  }
  return value;
}

function stringMap(obj: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}
