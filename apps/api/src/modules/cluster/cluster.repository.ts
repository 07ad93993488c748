import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { TASK_STATUSES, isFinishedStatus, type TaskStatus } from '@semaphore/models';
import { TaskEntity } from '@semaphore/persistence';

/** The database side of the cluster view. */
@Injectable()
export class ClusterRepository {
  constructor(@InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>) {}

  /** How many unfinished tasks are in each status (statuses without any are left out). */
  async unfinishedByStatus(): Promise<Partial<Record<TaskStatus, number>>> {
    const rows = await this.tasks
      .createQueryBuilder('t')
      .select('t.status', 'status')
      .addSelect('COUNT(*)::int', 'count')
      .where({ status: In(TASK_STATUSES.filter((s) => !isFinishedStatus(s))) })
      .groupBy('t.status')
      .getRawMany<{ status: TaskStatus; count: number }>();
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  }
}
