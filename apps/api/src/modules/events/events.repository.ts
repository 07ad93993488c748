import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type SelectQueryBuilder } from 'typeorm';
import { EventEntity, ProjectEntity, ProjectMemberEntity, TaskEntity, UserEntity } from '@semaphore/persistence';
import type { EventWireExtras } from '../../wire';

/** An event with the names the wire form resolves. */
export interface ResolvedEvent {
  event: EventEntity;
  extras: EventWireExtras;
}

interface EventRow {
  id: number;
  project_id: number | null;
  user_id: number | null;
  integration_id: number | null;
  object_id: number | null;
  object_type: string | null;
  description: string | null;
  created: Date;
  project_name: string | null;
  username: string | null;
  task_playbook: string | null;
}

/** The audit log, newest first, with project name, username and (for tasks) the playbook resolved by joins. */
@Injectable()
export class EventsRepository {
  constructor(@InjectRepository(EventEntity) private readonly events: Repository<EventEntity>) {}

  async listForProject(projectId: number, limit: number): Promise<ResolvedEvent[]> {
    return this.run(this.query().where('e.project_id = :projectId', { projectId }), limit);
  }

  /** Everything (admins). */
  async listAll(limit: number): Promise<ResolvedEvent[]> {
    return this.run(this.query(), limit);
  }

  /**
   * The events of the user's projects and the global ones (no project). Global events about deleted projects are
   * shown only to the user who deleted the project (admins see them through `listAll`).
   */
  async listForUser(userId: number, limit: number): Promise<ResolvedEvent[]> {
    const qb = this.query()
      .leftJoin(ProjectMemberEntity, 'm', 'm.project_id = e.project_id AND m.user_id = :userId', { userId })
      .where('m.id IS NOT NULL')
      .orWhere('(e.project_id IS NULL AND (e.object_type IS DISTINCT FROM :projectType OR e.user_id = :userId))', {
        projectType: 'project',
        userId,
      });
    return this.run(qb, limit);
  }

  private query(): SelectQueryBuilder<EventEntity> {
    return this.events
      .createQueryBuilder('e')
      .leftJoin(ProjectEntity, 'p', 'p.id = e.project_id')
      .leftJoin(UserEntity, 'u', 'u.id = e.user_id')
      .leftJoin(TaskEntity, 't', 't.id = e.object_id AND t.project_id = e.project_id AND e.object_type = :taskType', {
        taskType: 'task',
      })
      .select('e.id', 'id')
      .addSelect('e.project_id', 'project_id')
      .addSelect('e.user_id', 'user_id')
      .addSelect('e.integration_id', 'integration_id')
      .addSelect('e.object_id', 'object_id')
      .addSelect('e.object_type', 'object_type')
      .addSelect('e.description', 'description')
      .addSelect('e.created', 'created')
      .addSelect('p.name', 'project_name')
      .addSelect('u.username', 'username')
      .addSelect('t.playbook', 'task_playbook');
  }

  private async run(qb: SelectQueryBuilder<EventEntity>, limit: number): Promise<ResolvedEvent[]> {
    const rows = await qb.orderBy('e.created', 'DESC').addOrderBy('e.id', 'DESC').limit(limit).getRawMany<EventRow>();
    return rows.map((r) => ({
      event: {
        id: r.id,
        projectId: r.project_id,
        userId: r.user_id,
        integrationId: r.integration_id,
        objectId: r.object_id,
        objectType: r.object_type,
        description: r.description,
        created: r.created,
      },
      extras: { objectName: r.task_playbook ?? '', projectName: r.project_name, username: r.username },
    }));
  }
}
