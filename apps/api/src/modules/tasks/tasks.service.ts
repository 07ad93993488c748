import { Injectable } from '@nestjs/common';
import { isFinishedStatus, type WireTask, type WireTaskOutput, type WireTaskWithTpl } from '@semaphore/models';
import type { ProjectEntity, TaskEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { toWireTask, toWireTaskOutput, toWireTaskWithTpl } from '../../wire';
import { TasksRepository } from './tasks.repository';

/** `GET P/tasks` and `GET P/templates/{id}/tasks`: at most this many, newest first (as upstream). */
export const TASK_LIST_LIMIT = 1000;
/** `.../tasks/last`: the default and largest `?limit=`. */
export const LAST_TASKS_MAX = 200;

export interface LastTasksQuery {
  limit?: number;
  before?: number;
}

/** Task reads and deletion. Creating, stopping and confirming tasks belong to task execution. */
@Injectable()
export class TasksService {
  constructor(private readonly tasks: TasksRepository) {}

  list(project: ProjectEntity): Promise<WireTaskWithTpl[]> {
    return this.listWithTemplate({ projectId: project.id, limit: TASK_LIST_LIMIT });
  }

  last(project: ProjectEntity, query: LastTasksQuery): Promise<WireTaskWithTpl[]> {
    return this.listWithTemplate({
      projectId: project.id,
      limit: query.limit ?? LAST_TASKS_MAX,
      before: query.before,
    });
  }

  async listForTemplate(
    project: ProjectEntity,
    templateId: number,
    query?: LastTasksQuery,
  ): Promise<WireTaskWithTpl[]> {
    if (!(await this.tasks.templateExists(project.id, templateId))) throw notFound('Template');
    return this.listWithTemplate({
      projectId: project.id,
      templateId,
      limit: query ? (query.limit ?? LAST_TASKS_MAX) : TASK_LIST_LIMIT,
      before: query?.before,
    });
  }

  async get(project: ProjectEntity, id: number): Promise<WireTask> {
    return toWireTask(await this.require(project, id));
  }

  async output(project: ProjectEntity, id: number, afterSeq?: number): Promise<WireTaskOutput[]> {
    const task = await this.require(project, id);
    return (await this.tasks.listOutput(task.id, afterSeq)).map((line) => toWireTaskOutput(line));
  }

  /** The output lines as one text, joined with `\n`. */
  async rawOutput(project: ProjectEntity, id: number): Promise<string> {
    const task = await this.require(project, id);
    return (await this.tasks.listOutput(task.id)).map((line) => line.output).join('\n');
  }

  /** Deletes a finished task and its output; an active one must be stopped first (400). */
  async delete(project: ProjectEntity, id: number): Promise<void> {
    const task = await this.require(project, id);
    if (!isFinishedStatus(task.status)) {
      throw badRequest(`task ${task.id} is still active (status ${task.status}): stop it before deleting it`);
    }
    await this.tasks.deleteWithOutput(task.id);
  }

  /** The task of this project, or 404 (upstream answers 400 for unknown tasks). */
  private async require(project: ProjectEntity, id: number): Promise<TaskEntity> {
    const task = await this.tasks.find(project.id, id);
    if (!task) throw notFound('Task');
    return task;
  }

  private async listWithTemplate(
    query: Parameters<TasksRepository['listWithTemplate']>[0],
  ): Promise<WireTaskWithTpl[]> {
    const rows = await this.tasks.listWithTemplate(query);
    return rows.map((task) => {
      if (!task.template) throw new Error(`task ${task.id} loaded without its template`);
      return toWireTaskWithTpl(task, {
        template: task.template,
        user: task.user ?? null,
        buildTask: task.buildTask ?? null,
      });
    });
  }
}
