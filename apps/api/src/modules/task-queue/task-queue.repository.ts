import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isFinishedStatus, TASK_STATUSES, TaskStatus, TemplateType } from '@semaphore/models';
import {
  hydrateRow,
  InventoryEntity,
  ProjectEntity,
  queryOneAs,
  TaskEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import { TASK_SECRET_PARAM } from './task-secret';

/** Statuses of tasks that have not finished yet. */
export const UNFINISHED_STATUSES: TaskStatus[] = TASK_STATUSES.filter((s) => !isFinishedStatus(s));

/** Key of the advisory lock that serialises version numbering of one build template. */
const BUILD_VERSION_LOCK = 0x5e3a_0001;

export interface NewTaskRow extends Partial<TaskEntity> {
  templateId: number;
  projectId: number;
}

/** The first output line of a new task: `<before><task id><after>` (written in SQL, where the id is known). */
export interface QueuedLine {
  time: Date;
  before: string;
  after: string;
}

/** The text of a QueuedLine for a task. */
export function queuedLineText(line: QueuedLine, taskId: number): string {
  return `${line.before}${taskId}${line.after}`;
}

/** A task with what admission needs from its template and project. */
export interface TaskForAdmission {
  task: TaskEntity;
  allowParallel: boolean;
  projectMaxParallel: number;
}

/** Queries of task creation, control and admission (the only place with SQL in this module). */
@Injectable()
export class TaskQueueRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
    @InjectRepository(InventoryEntity) private readonly inventories: Repository<InventoryEntity>,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  /** On every `POST P/tasks`: a hand-written query. */
  findTemplate(projectId: number, id: number): Promise<TemplateEntity | null> {
    const sql = 'SELECT * FROM project__template WHERE id = $1 AND project_id = $2';
    return queryOneAs(this.templates.manager, TemplateEntity, sql, [id, projectId]);
  }

  findInventory(projectId: number, id: number): Promise<InventoryEntity | null> {
    return this.inventories.findOneBy({ id, projectId });
  }

  findProject(id: number): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ id });
  }

  findTask(projectId: number, id: number): Promise<TaskEntity | null> {
    const sql = 'SELECT * FROM task WHERE id = $1 AND project_id = $2';
    return queryOneAs(this.tasks.manager, TaskEntity, sql, [id, projectId]);
  }

  findTaskById(id: number): Promise<TaskEntity | null> {
    return queryOneAs(this.tasks.manager, TaskEntity, 'SELECT * FROM task WHERE id = $1', [id]);
  }

  /** On the finish path of every task, one query: the task and its template's name and type (null: template gone). */
  async findTaskWithTemplate(
    id: number,
  ): Promise<{ task: TaskEntity; template: Pick<TemplateEntity, 'name' | 'type'> | null } | null> {
    const rows = (await this.tasks.query(
      `SELECT t.*, tpl.name AS "tpl.name", tpl.type AS "tpl.type"
         FROM task t LEFT JOIN project__template tpl ON tpl.id = t.template_id
        WHERE t.id = $1`,
      [id],
    )) as Array<Record<string, unknown>>;
    if (!rows.length) return null;
    const row = rows[0];
    const template =
      typeof row['tpl.name'] === 'string' ? { name: row['tpl.name'], type: row['tpl.type'] as TemplateType } : null;
    return { task: hydrateRow(this.tasks.manager, TaskEntity, row), template };
  }

  /** The `waiting` tasks among `ids` in the queue of `runnerTag` (null: untagged), optionally of one project. */
  waitingTasksOfQueue(ids: number[], runnerTag: string | null, projectId: number | null): Promise<TaskEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const qb = this.tasks
      .createQueryBuilder('task')
      .where('task.id IN (:...ids)', { ids })
      .andWhere('task.status = :status', { status: TaskStatus.Waiting });
    if (runnerTag === null) qb.andWhere('task.runnerTag IS NULL');
    else qb.andWhere('task.runnerTag = :runnerTag', { runnerTag });
    if (projectId !== null) qb.andWhere('task.projectId = :projectId', { projectId });
    return qb.orderBy('task.id', 'ASC').getMany();
  }

  /** The first retry of a task (a task of the same template with `retry_of_task_id` = its id), if any. */
  findRetryOf(task: Pick<TaskEntity, 'id' | 'templateId'>): Promise<TaskEntity | null> {
    return this.tasks.findOne({
      where: { templateId: task.templateId, retryOfTaskId: task.id },
      order: { id: 'ASC' },
    });
  }

  /** Tasks by id with their user's username (admin task list). */
  findTasksWithUser(ids: number[]): Promise<TaskEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.tasks
      .createQueryBuilder('task')
      .leftJoin('task.user', 'usr')
      .addSelect(['usr.id', 'usr.username'])
      .where('task.id IN (:...ids)', { ids })
      .getMany();
  }

  /** Unfinished tasks of a template, oldest first. */
  unfinishedTasksOfTemplate(templateId: number): Promise<TaskEntity[]> {
    return this.tasks.find({
      where: { templateId, status: In(UNFINISHED_STATUSES) },
      order: { id: 'ASC' },
    });
  }

  /** Deploy templates that run after a successful build of `buildTemplateId`. */
  autorunTemplates(projectId: number, buildTemplateId: number): Promise<TemplateEntity[]> {
    return this.templates.find({
      where: { projectId, buildTemplateId, autorun: true, type: TemplateType.Deploy },
      order: { id: 'ASC' },
    });
  }

  /** Tasks (any status) with their template's parallel flag and their project's limit. */
  async tasksForAdmission(where: { ids?: number[]; statuses?: TaskStatus[] }): Promise<TaskForAdmission[]> {
    const qb = this.tasks
      .createQueryBuilder('task')
      .innerJoin('task.template', 'tpl')
      .addSelect(['tpl.id', 'tpl.allowParallelTasks'])
      .innerJoin('task.project', 'prj')
      .addSelect(['prj.id', 'prj.maxParallelTasks']);
    if (where.ids !== undefined) {
      if (where.ids.length === 0) return [];
      qb.andWhere('task.id IN (:...ids)', { ids: where.ids });
    }
    if (where.statuses !== undefined) qb.andWhere('task.status IN (:...statuses)', { statuses: where.statuses });
    const rows = await qb.orderBy('task.id', 'ASC').getMany();
    return rows.map((task) => ({
      task,
      allowParallel: task.template?.allowParallelTasks ?? false,
      projectMaxParallel: task.project?.maxParallelTasks ?? 0,
    }));
  }

  /**
   * Inserts a waiting task and its first output line (seq 1, `last_seq` 1, text `<before><id><after>`) in one
   * statement. For build templates `version` is computed from the newest build under an advisory lock, in a
   * transaction, so concurrent builds get distinct versions.
   */
  async insertQueuedTask(
    row: NewTaskRow,
    firstLine: QueuedLine,
    buildVersion?: (previous: string | null) => string | null,
  ): Promise<TaskEntity> {
    const values: Partial<TaskEntity> = { ...row, status: TaskStatus.Waiting, lastSeq: 1 };
    if (!buildVersion) return this.insertWithFirstLine(this.dataSource.manager, values, firstLine);
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1, $2)', [BUILD_VERSION_LOCK, row.templateId]);
      const previous = await em
        .createQueryBuilder(TaskEntity, 'task')
        .select(['task.id', 'task.version'])
        .where('task.templateId = :templateId', { templateId: row.templateId })
        .andWhere('task.version IS NOT NULL')
        .orderBy('task.id', 'DESC')
        .limit(1)
        .getOne();
      values.version = buildVersion(previous?.version ?? null);
      return this.insertWithFirstLine(em, values, firstLine);
    });
  }

  /** The task row and its first output line in one statement (a data-modifying CTE); the row as stored. */
  private async insertWithFirstLine(
    em: EntityManager,
    values: Partial<TaskEntity>,
    line: QueuedLine,
  ): Promise<TaskEntity> {
    const [insertTask, params] = em
      .createQueryBuilder()
      .insert()
      .into(TaskEntity)
      .values(values as QueryDeepPartialEntity<TaskEntity>)
      .returning('*')
      .getQueryAndParameters();
    const n = params.length;
    const rows = (await em.query(
      `WITH t AS (${insertTask}),
         o AS (INSERT INTO task__output (task_id, seq, time, output)
               SELECT t.id, 1, $${n + 1}, $${n + 2}::text || t.id::text || $${n + 3}::text FROM t)
       SELECT * FROM t`,
      [...params, line.time, line.before, line.after],
    )) as Array<Record<string, unknown>>;
    return hydrateRow(em, TaskEntity, rows[0]);
  }

  /**
   * Compare-and-set of the status (the transition guard is checked by the caller against `from`): the row changes only
   * if its status is still `from`. Returns the updated task, or null when someone else changed it first.
   */
  async compareAndSetStatus(
    id: number,
    from: TaskStatus,
    set: Pick<TaskEntity, 'status' | 'start' | 'end'> & Partial<Pick<TaskEntity, 'runnerId' | 'claimedAt'>>,
  ): Promise<TaskEntity | null> {
    const result = await this.tasks
      .createQueryBuilder()
      .update(TaskEntity)
      .set(set)
      .where('id = :id AND status = :from', { id, from })
      .execute();
    if (!result.affected) return null;
    return this.tasks.findOneBy({ id });
  }

  /** Deletes the sealed survey secrets of a finished task (idempotent). */
  async removeSecret(id: number): Promise<void> {
    await this.tasks
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ params: () => 'params - :secretKey' })
      .where('id = :id AND params ? :secretKey', { id, secretKey: TASK_SECRET_PARAM })
      .execute();
  }
}
