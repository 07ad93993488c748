import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type ObjectLiteral, type SelectQueryBuilder, Repository } from 'typeorm';
import { isFinishedStatus, RUNNER_TAG_PATTERN, TASK_STATUSES, TaskStatus } from '@semaphore/models';
import { InventoryEntity, ProjectEntity, RunnerEntity, TaskEntity, TemplateEntity } from '@semaphore/persistence';
import type { FailedCount, QueueTaskRow } from './queue-overview';

const UNFINISHED = TASK_STATUSES.filter((s) => !isFinishedStatus(s));

/** Which failed tasks a bulk retry looks at. */
export interface FailedTaskFilter {
  /** Null: every project (administrators). */
  projectId: number | null;
  templateId: number | null;
  /** Tasks that ended at or after this time. */
  since: Date;
  /** Whether the tasks have been retried already. */
  retried: boolean;
  limit: number;
}

/** Queries of the queue management API (the only place with SQL in this module). */
@Injectable()
export class QueuesRepository {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
    @InjectRepository(InventoryEntity) private readonly inventories: Repository<InventoryEntity>,
    @InjectRepository(RunnerEntity) private readonly runners: Repository<RunnerEntity>,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  /** Unfinished tasks (optionally of one project, one queue's runner tag, one status), oldest first. */
  async unfinished(filter: {
    projectId: number | null;
    tag?: string | null;
    status?: TaskStatus;
  }): Promise<QueueTaskRow[]> {
    const qb = this.tasks
      .createQueryBuilder('task')
      .select(['task.id', 'task.projectId', 'task.templateId', 'task.status', 'task.runnerTag', 'task.created'])
      .where('task.status IN (:...statuses)', { statuses: filter.status ? [filter.status] : UNFINISHED });
    if (filter.projectId !== null) qb.andWhere('task.projectId = :projectId', { projectId: filter.projectId });
    if (filter.tag === null) qb.andWhere('task.runnerTag IS NULL');
    else if (filter.tag !== undefined) qb.andWhere('task.runnerTag = :tag', { tag: filter.tag });
    return qb.orderBy('task.id', 'ASC').getMany();
  }

  /** Tasks that ended in `error` since `since`, counted per runner tag and project. */
  async failedCounts(since: Date, projectId: number | null): Promise<FailedCount[]> {
    const qb = this.tasks
      .createQueryBuilder('task')
      .select('task.runnerTag', 'runnerTag')
      .addSelect('task.projectId', 'projectId')
      .addSelect('COUNT(*)::int', 'count')
      .where('task.status = :status', { status: TaskStatus.Error })
      .andWhere('COALESCE(task.end, task.created) >= :since', { since });
    if (projectId !== null) qb.andWhere('task.projectId = :projectId', { projectId });
    return qb.groupBy('task.runnerTag').addGroupBy('task.projectId').getRawMany<FailedCount>();
  }

  /**
   * Runner tags of templates and inventories (of the project, or all) and, for the administrators' view, of the
   * runners: the queues that exist even while empty. Tags that cannot name a queue are left out.
   */
  async configuredTags(projectId: number | null): Promise<string[]> {
    const distinctTags = <T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string) => {
      qb.select(`DISTINCT ${alias}.runnerTag`, 'tag').where(`${alias}.runnerTag IS NOT NULL`);
      if (projectId !== null) qb.andWhere(`${alias}.projectId = :projectId`, { projectId });
      return qb.getRawMany<{ tag: string }>();
    };
    const lists = await Promise.all([
      distinctTags(this.templates.createQueryBuilder('tpl'), 'tpl'),
      distinctTags(this.inventories.createQueryBuilder('inv'), 'inv'),
      projectId === null
        ? this.runners
            .createQueryBuilder('runner')
            .select('DISTINCT jsonb_array_elements_text(runner.tags)', 'tag')
            .getRawMany<{ tag: string }>()
        : Promise.resolve([]),
    ]);
    const tags = new Set(lists.flat().map((r) => r.tag));
    return [...tags].filter((t) => RUNNER_TAG_PATTERN.test(t)).sort();
  }

  /** A task, of the project when one is given. */
  findTask(id: number, projectId: number | null): Promise<TaskEntity | null> {
    return this.tasks.findOneBy(projectId === null ? { id } : { id, projectId });
  }

  /** The project of a task (tasks are deleted with their project, so it exists). */
  findProject(id: number): Promise<ProjectEntity> {
    return this.projects.findOneByOrFail({ id });
  }

  templateExists(id: number, projectId: number | null): Promise<boolean> {
    return this.templates.existsBy(projectId === null ? { id } : { id, projectId });
  }

  /** Tasks that ended in `error` in the window, retried already or not, oldest first. */
  failedTasks(filter: FailedTaskFilter): Promise<TaskEntity[]> {
    const retry = this.tasks
      .createQueryBuilder('retry')
      .select('1')
      .where('retry.templateId = task.templateId')
      .andWhere('retry.retryOfTaskId = task.id');
    const qb = this.tasks
      .createQueryBuilder('task')
      .where('task.status = :status', { status: TaskStatus.Error })
      .andWhere('COALESCE(task.end, task.created) >= :since', { since: filter.since })
      .andWhere(`${filter.retried ? '' : 'NOT '}EXISTS (${retry.getQuery()})`);
    if (filter.projectId !== null) qb.andWhere('task.projectId = :projectId', { projectId: filter.projectId });
    if (filter.templateId !== null) qb.andWhere('task.templateId = :templateId', { templateId: filter.templateId });
    return qb.orderBy('task.id', 'ASC').limit(filter.limit).getMany();
  }

  /** The first retry of each of these tasks (`retry_of_task_id` -> the retry's id). */
  async firstRetries(originals: Array<Pick<TaskEntity, 'id' | 'templateId'>>): Promise<Map<number, number>> {
    if (originals.length === 0) return new Map();
    const rows = await this.tasks
      .createQueryBuilder('retry')
      .select('retry.retryOfTaskId', 'original')
      .addSelect('MIN(retry.id)', 'retry')
      .where('retry.templateId IN (:...templateIds)', { templateIds: [...new Set(originals.map((t) => t.templateId))] })
      .andWhere('retry.retryOfTaskId IN (:...ids)', { ids: originals.map((t) => t.id) })
      .groupBy('retry.retryOfTaskId')
      .getRawMany<{ original: number; retry: number }>();
    return new Map(rows.map((r) => [Number(r.original), Number(r.retry)]));
  }
}
