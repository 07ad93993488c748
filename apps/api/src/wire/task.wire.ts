import type { WireTask, WireTaskOutput, WireTaskWithTpl } from '@semaphore/models';
import type { TaskEntity, TaskOutputEntity, TemplateEntity, UserEntity } from '@semaphore/persistence';
import {
  compact,
  readBoolean,
  readInt,
  readNullableInt,
  readNullableObject,
  readNullableString,
  readString,
  wireBody,
} from './input.wire';
import { toWireTime } from './time.wire';

/** Task `secret` (survey secrets / extra vars) is never stored, so it is always `"{}"` on output. */
const TASK_SECRET_PLACEHOLDER = '{}';

export function toWireTask(task: TaskEntity): WireTask {
  return {
    id: task.id,
    template_id: task.templateId,
    project_id: task.projectId,
    status: task.status,
    debug: task.debug,
    dry_run: task.dryRun,
    diff: task.diff,
    playbook: task.playbook,
    environment: task.environment,
    limit: task.hostsLimit,
    secret: TASK_SECRET_PLACEHOLDER,
    arguments: task.arguments,
    git_branch: task.gitBranch,
    user_id: task.userId,
    integration_id: task.integrationId,
    schedule_id: task.scheduleId,
    created: toWireTime(task.created),
    start: toWireTime(task.start),
    end: toWireTime(task.end),
    message: task.message,
    commit_hash: task.commitHash,
    commit_message: task.commitMessage,
    build_task_id: task.buildTaskId,
    version: task.version,
    inventory_id: task.inventoryId,
    error_code: task.errorCode,
    retry_of_task_id: task.retryOfTaskId,
    progress: task.progress,
  };
}

export interface TaskWithTplRelations {
  /** The task's template (for `tpl_playbook`, `tpl_alias` = name, `tpl_type`, `tpl_app`). */
  template: Pick<TemplateEntity, 'playbook' | 'name' | 'type' | 'app'>;
  /** The user who started the task; null for schedule/integration tasks or a deleted user (`user_name: null`). */
  user: Pick<UserEntity, 'name'> | null;
  /** The build task of a deploy task, or null. */
  buildTask: TaskEntity | null;
}

/** A task as in task lists (`TaskWithTpl`): the task keys, then the template/user/build-task ones. */
export function toWireTaskWithTpl(task: TaskEntity, relations: TaskWithTplRelations): WireTaskWithTpl {
  return {
    ...toWireTask(task),
    tpl_playbook: relations.template.playbook,
    tpl_alias: relations.template.name,
    tpl_type: relations.template.type,
    tpl_app: relations.template.app,
    user_name: relations.user === null ? null : relations.user.name,
    build_task: relations.buildTask === null ? null : toWireTask(relations.buildTask),
  };
}

/** A `task__output` line; `task` is always '' and the row id / seq are not serialized. */
export function toWireTaskOutput(line: TaskOutputEntity): WireTaskOutput {
  return { task_id: line.taskId, task: '', time: toWireTime(line.time), output: line.output };
}

export type TaskWireFields = Partial<
  Pick<
    TaskEntity,
    | 'templateId'
    | 'debug'
    | 'dryRun'
    | 'diff'
    | 'playbook'
    | 'environment'
    | 'hostsLimit'
    | 'arguments'
    | 'gitBranch'
    | 'message'
    | 'buildTaskId'
    | 'commitHash'
    | 'inventoryId'
    | 'params'
  >
>;

/**
 * The meaningful inputs of `POST P/tasks` (reference §1.4). Server-owned fields (`id`, `project_id`, `status`, `user_id`,
 * `created`, `start`, `end`, `integration_id`, `schedule_id`, `version`, `commit_message`) are never taken from the
 * body. `params` (sent by the UI: terraform `plan`/`auto_approve`) is kept; upstream 2.10 ignores it. The `secret`
 * is read with `taskSecretFromWire` and must never be stored.
 */
export function fromWireTask(body: unknown): TaskWireFields {
  const b = wireBody(body);
  return compact({
    templateId: readInt(b, 'template_id'),
    debug: readBoolean(b, 'debug'),
    dryRun: readBoolean(b, 'dry_run'),
    diff: readBoolean(b, 'diff'),
    playbook: readString(b, 'playbook'),
    environment: readString(b, 'environment'),
    hostsLimit: readString(b, 'limit'),
    arguments: readNullableString(b, 'arguments'),
    gitBranch: readNullableString(b, 'git_branch'),
    message: readString(b, 'message'),
    buildTaskId: readNullableInt(b, 'build_task_id'),
    commitHash: readNullableString(b, 'commit_hash'),
    inventoryId: readNullableInt(b, 'inventory_id'),
    params: readNullableObject(b, 'params'),
  });
}

/** The task's `secret` (JSON object text of secret extra vars): kept in memory only, never persisted or logged. */
export function taskSecretFromWire(body: unknown): string | undefined {
  return readString(wireBody(body), 'secret');
}
