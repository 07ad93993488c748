import { isFinishedStatus, type TaskStatus } from '@semaphore/models';
import type { SurveyVar, TaskEntity } from '@semaphore/persistence';
import type { CreateTaskDto } from './dto/create-task.dto';
import { parseJsonObjectText } from './task-input';
import { publicTaskParams } from './task-secret';

/**
 * What a retry copies from the original task: the `POST P/tasks` body that would create it again (every field but
 * `project_id`, `commit_hash` and, unless the caller sends one, `secret`).
 */
export type RetryBody = Required<Omit<CreateTaskDto, 'project_id' | 'commit_hash' | 'secret'>> &
  Pick<CreateTaskDto, 'secret'>;

/**
 * The creation body of a retry. `commit_hash` is not copied (the row holds the commit the runner checked out, not one
 * the caller asked for), nor are the server-owned fields (user, schedule, integration, version).
 */
export function retryBody(original: TaskEntity, secret: string | undefined): RetryBody {
  const publicParams = publicTaskParams(original.params);
  const params: { plan?: boolean; auto_approve?: boolean } = {};
  if (typeof publicParams.plan === 'boolean') params.plan = publicParams.plan;
  if (typeof publicParams.auto_approve === 'boolean') params.auto_approve = publicParams.auto_approve;
  return {
    template_id: original.templateId,
    debug: original.debug,
    dry_run: original.dryRun,
    diff: original.diff,
    playbook: original.playbook,
    environment: original.environment,
    limit: original.hostsLimit,
    arguments: original.arguments,
    git_branch: original.gitBranch,
    message: original.message,
    inventory_id: original.inventoryId,
    build_task_id: original.buildTaskId,
    params: Object.keys(params).length > 0 ? params : null,
    ...(secret !== undefined && secret !== '' ? { secret } : {}),
  };
}

/** Why a task of this status cannot be retried; null when it can (it has finished). */
export function retryStatusProblem(taskId: number, status: TaskStatus): string | null {
  if (isFinishedStatus(status)) return null;
  return `Task ${taskId} has not finished (status ${status}): only finished tasks (success, error, stopped, rejected) can be retried`;
}

/**
 * Survey secrets are never kept after a run, so a retry cannot replay them: when the template's survey has required
 * secret variables, `secret` (a JSON object text that already passed validation) must set each of them again.
 */
export function surveySecretProblem(surveyVars: SurveyVar[] | null, secret: string | undefined): string | null {
  const required = (surveyVars ?? []).filter((v) => v.required && v.type === 'secret').map((v) => v.name);
  if (required.length === 0) return null;
  const given = parseJsonObjectText(secret);
  if (Object.keys(given).length === 0) {
    return `secret is required: the template's survey asks for the secret variable(s) ${required.join(', ')}, which are never stored, so a retry must send them again`;
  }
  const missing = required.filter((name) => given[name] === undefined || given[name] === null || given[name] === '');
  if (missing.length > 0) return `secret must set ${missing.join(', ')} (required secret survey variables)`;
  return null;
}
