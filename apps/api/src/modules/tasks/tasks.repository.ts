import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { TaskEntity, TaskOutputEntity, TemplateEntity } from '@semaphore/persistence';

export interface TaskListQuery {
  projectId: number;
  /** Only the tasks of this template. */
  templateId?: number;
  /** Keyset paging: only tasks with a smaller id (older ones). */
  before?: number;
  limit: number;
}

/**
 * Task reads. Lists load each task with its template (name, playbook, type, app), its user's name and its build task
 * in ONE query (to-one joins, so LIMIT applies to tasks), newest first.
 */
@Injectable()
export class TasksRepository {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(TaskOutputEntity) private readonly output: Repository<TaskOutputEntity>,
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
    private readonly dataSource: DataSource,
  ) {}

  /** Tasks with `template`, `user` (id, name; null when none) and `buildTask` (or null) filled in. */
  listWithTemplate(query: TaskListQuery): Promise<TaskEntity[]> {
    const qb = this.tasks
      .createQueryBuilder('task')
      .innerJoin('task.template', 'tpl')
      .addSelect(['tpl.id', 'tpl.name', 'tpl.playbook', 'tpl.type', 'tpl.app'])
      .leftJoin('task.user', 'usr')
      .addSelect(['usr.id', 'usr.name'])
      .leftJoinAndSelect('task.buildTask', 'build')
      .where('task.projectId = :projectId', { projectId: query.projectId });
    if (query.templateId !== undefined) qb.andWhere('task.templateId = :templateId', { templateId: query.templateId });
    if (query.before !== undefined) qb.andWhere('task.id < :before', { before: query.before });
    return qb.orderBy('task.id', 'DESC').limit(query.limit).getMany();
  }

  /** The task, only if it belongs to the project. */
  find(projectId: number, id: number): Promise<TaskEntity | null> {
    return this.tasks.findOneBy({ id, projectId });
  }

  templateExists(projectId: number, templateId: number): Promise<boolean> {
    return this.templates.existsBy({ id: templateId, projectId });
  }

  /** Output lines in log order (`seq`, then row id), optionally only those after a sequence number. */
  listOutput(taskId: number, afterSeq?: number): Promise<TaskOutputEntity[]> {
    const qb = this.output.createQueryBuilder('line').where('line.taskId = :taskId', { taskId });
    if (afterSeq !== undefined) qb.andWhere('line.seq > :afterSeq', { afterSeq });
    return qb.orderBy('line.seq', 'ASC').addOrderBy('line.id', 'ASC').getMany();
  }

  /** Deletes the output and the task in one transaction. */
  async deleteWithOutput(taskId: number): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.delete(TaskOutputEntity, { taskId });
      await em.delete(TaskEntity, { id: taskId });
    });
  }
}
