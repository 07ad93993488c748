import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TemplateType } from '@semaphore/models';
import { ProjectEntity, TaskEntity, TemplateEntity, UserEntity } from '@semaphore/persistence';

/** A user who gets e-mail alerts. */
export interface AlertRecipient {
  id: number;
  email: string;
}

/** How far a deploy task's chain of build tasks is followed to find the incoming version. */
const MAX_BUILD_CHAIN = 20;

/** The queries of the notifications module. Every value is a bound parameter. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findTask(id: number): Promise<TaskEntity | null> {
    return this.dataSource.getRepository(TaskEntity).findOneBy({ id });
  }

  findTemplate(projectId: number, id: number): Promise<TemplateEntity | null> {
    return this.dataSource.getRepository(TemplateEntity).findOneBy({ id, projectId });
  }

  findProject(id: number): Promise<ProjectEntity | null> {
    return this.dataSource.getRepository(ProjectEntity).findOneBy({ id });
  }

  async userName(id: number | null): Promise<string | null> {
    if (id === null) return null;
    const user = await this.dataSource.getRepository(UserEntity).findOne({ select: { name: true }, where: { id } });
    return user?.name ?? null;
  }

  /**
   * Upstream `GetIncomingVersion`: following `build_task_id`, the version of the first task whose template is a
   * build template (null when there is none).
   */
  async incomingVersion(task: TaskEntity): Promise<string | null> {
    let buildTaskId = task.buildTaskId;
    for (let i = 0; i < MAX_BUILD_CHAIN && buildTaskId !== null; i++) {
      const rows: Array<{ version: string | null; type: string; buildTaskId: number | null }> =
        await this.dataSource.query(
          `SELECT t.version, tpl.type, t.build_task_id AS "buildTaskId"
             FROM task t JOIN project__template tpl ON tpl.id = t.template_id
            WHERE t.id = $1 AND t.project_id = $2`,
          [buildTaskId, task.projectId],
        );
      const row = rows[0];
      if (!row) return null;
      if (row.type === TemplateType.Build) return row.version;
      buildTaskId = row.buildTaskId;
    }
    return null;
  }

  /** The recipient `userId` still is: a member of the project or an admin, with `alert` on (else null). */
  async recipient(projectId: number, userId: number): Promise<AlertRecipient | null> {
    const rows = await this.alertRecipients(projectId, userId);
    return rows[0] ?? null;
  }

  /** Members of the project and administrators whose `alert` is on (reference 6.3), each once. */
  alertRecipients(projectId: number, onlyUserId: number | null = null): Promise<AlertRecipient[]> {
    return this.dataSource.query(
      `SELECT u.id, u.email FROM "user" u
        WHERE u.alert AND ($2::int IS NULL OR u.id = $2) AND (u.admin OR EXISTS (
          SELECT 1 FROM project__user pu WHERE pu.project_id = $1 AND pu.user_id = u.id))
        ORDER BY u.id`,
      [projectId, onlyUserId],
    );
  }
}
