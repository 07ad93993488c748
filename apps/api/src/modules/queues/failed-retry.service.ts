import { Injectable } from '@nestjs/common';
import type { WireTask } from '@semaphore/models';
import type { ProjectEntity, TaskEntity, UserEntity } from '@semaphore/persistence';
import { badRequest } from '../../common/api-errors';
import { toWireTask } from '../../wire';
import { TaskRetryService } from '../task-queue/task-retry.service';
import { RETRY_FAILED_MAX, type RetryFailedDto } from './dto/retry-failed.dto';
import { type QueueScope, scopeProjectId } from './queue-scope';
import { QueuesRepository } from './queues.repository';

/** The default `since` of a bulk retry: this long ago. */
const DEFAULT_WINDOW_MS = 24 * 3600 * 1000;

/** `POST .../queues/retry-failed`. */
export interface RetryFailedResult {
  /** The new tasks, in the order of the tasks they retry. */
  tasks: WireTask[];
  skipped: Array<{ task_id: number; reason: string }>;
}

/**
 * Bulk retry of failed (`error`) tasks, oldest first, each through the single retry path (`TaskRetryService`) with the
 * caller's rights. Tasks retried before are skipped and reported, as are those the retry refuses (e.g. a template
 * whose survey needs secrets: retry those one by one with `secret`).
 */
@Injectable()
export class FailedRetryService {
  constructor(
    private readonly repo: QueuesRepository,
    private readonly retries: TaskRetryService,
  ) {}

  async retryFailed(
    scope: QueueScope,
    user: UserEntity,
    body: RetryFailedDto,
    now = new Date(),
  ): Promise<RetryFailedResult> {
    const projectId = scopeProjectId(scope);
    const templateId = body.template_id ?? null;
    if (templateId !== null && !(await this.repo.templateExists(templateId, projectId))) {
      throw badRequest(`template_id must be a template${projectId === null ? '' : ' of this project'}`);
    }
    const since = body.since ? new Date(body.since) : new Date(now.getTime() - DEFAULT_WINDOW_MS);
    const filter = { projectId, templateId, since, limit: body.limit ?? RETRY_FAILED_MAX };
    const [fresh, retried] = await Promise.all([
      this.repo.failedTasks({ ...filter, retried: false }),
      this.repo.failedTasks({ ...filter, retried: true }),
    ]);
    const result: RetryFailedResult = { tasks: [], skipped: [] };
    const firstRetries = await this.repo.firstRetries(retried);
    for (const task of retried) {
      result.skipped.push({ task_id: task.id, reason: `already retried by task ${firstRetries.get(task.id)}` });
    }
    const projects = new Map<number, ProjectEntity>();
    for (const task of fresh) {
      const outcome = await this.retries.retryOnce(await this.projectOf(task, scope, projects), user, scope.role, task);
      if ('task' in outcome) result.tasks.push(toWireTask(outcome.task));
      else result.skipped.push({ task_id: task.id, reason: outcome.skipped });
    }
    result.skipped.sort((a, b) => a.task_id - b.task_id);
    return result;
  }

  private async projectOf(task: TaskEntity, scope: QueueScope, cache: Map<number, ProjectEntity>) {
    if (scope.project) return scope.project;
    let project = cache.get(task.projectId);
    if (!project) {
      project = await this.repo.findProject(task.projectId);
      cache.set(task.projectId, project);
    }
    return project;
  }
}
