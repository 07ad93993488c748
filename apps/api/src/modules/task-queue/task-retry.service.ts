import { HttpException, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { ProjectRole } from '@semaphore/models';
import type { ProjectEntity, TaskEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { firstValidationMessage } from '../../common/validation.pipe';
import { CreateTaskDto } from './dto/create-task.dto';
import { TaskCreateService } from './task-create.service';
import { TaskQueueRepository } from './task-queue.repository';
import { retryBody, retryStatusProblem, surveySecretProblem } from './task-retry';
import { TaskStateStore } from './task-state.store';

/** How long a bulk retry of one task keeps others from retrying it too (freed as soon as it is done). */
const RETRY_LOCK_MS = 30_000;

/** The result of a retry that may be skipped (bulk retries). */
export type RetryOutcome = { task: TaskEntity } | { skipped: string };

/**
 * Retrying a finished task: a new task of the same template with the original's parameters and `retry_of_task_id`.
 * The parameters are turned back into a `POST P/tasks` body, validated as one, and created through
 * `TaskCreateService.createFromRequest` with the caller's role, so the template's current override rules, the
 * extra-variable checks, admission, limits, events and notifications all apply as to any new task.
 */
@Injectable()
export class TaskRetryService {
  constructor(
    private readonly repo: TaskQueueRepository,
    private readonly creator: TaskCreateService,
    private readonly store: TaskStateStore,
  ) {}

  /** `POST P/tasks/{id}/retry`: 404 for a task of another project, 400 for an unfinished one or a missing secret. */
  async retry(
    project: ProjectEntity,
    user: UserEntity,
    role: ProjectRole | null,
    taskId: number,
    secret: string | undefined,
  ): Promise<TaskEntity> {
    const original = await this.repo.findTask(project.id, taskId);
    if (!original) throw notFound('Task');
    return this.retryTask(project, user, role, original, secret);
  }

  /**
   * Bulk retries: the task is retried unless it already was (a task with `retry_of_task_id` = its id exists). A short
   * Redis lock per task makes concurrent bulk retries (on any replica) create one retry. Refusals become the reason.
   */
  async retryOnce(
    project: ProjectEntity,
    user: UserEntity,
    role: ProjectRole | null,
    original: TaskEntity,
  ): Promise<RetryOutcome> {
    const lock = `retry:${original.id}`;
    if (!(await this.store.tryLock(lock, RETRY_LOCK_MS))) return { skipped: 'another request is retrying it' };
    try {
      const earlier = await this.repo.findRetryOf(original);
      if (earlier) return { skipped: `already retried by task ${earlier.id}` };
      return { task: await this.retryTask(project, user, role, original, undefined) };
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) return { skipped: errorText(error) };
      throw error;
    } finally {
      await this.store.unlock(lock);
    }
  }

  private async retryTask(
    project: ProjectEntity,
    user: UserEntity,
    role: ProjectRole | null,
    original: TaskEntity,
    secret: string | undefined,
  ): Promise<TaskEntity> {
    const statusProblem = retryStatusProblem(original.id, original.status);
    if (statusProblem) throw badRequest(statusProblem);
    const template = await this.repo.findTemplate(project.id, original.templateId);
    if (!template) throw notFound('Template');
    const secretProblem = surveySecretProblem(template.surveyVars, secret);
    if (secretProblem) throw badRequest(secretProblem);
    const body = plainToInstance(CreateTaskDto, retryBody(original, secret));
    const errors = await validate(body, { whitelist: true, validationError: { target: false, value: false } });
    if (errors.length > 0) {
      throw badRequest(`task ${original.id} cannot be run again as it was: ${firstValidationMessage(errors)}`);
    }
    return this.creator.createFromRequest(project, user, role, body, { retryOfTaskId: original.id });
  }
}

function errorText(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    return (body as { error: string }).error;
  }
  return error.message;
}
