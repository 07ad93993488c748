import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OptionEntity, TaskEntity } from '@semaphore/persistence';

/** The queries of task artifacts and recorded host keys. */
@Injectable()
export class TaskArtifactsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findTask(id: number): Promise<TaskEntity | null> {
    return this.dataSource.getRepository(TaskEntity).findOneBy({ id });
  }

  findProjectTask(projectId: number, id: number): Promise<TaskEntity | null> {
    return this.dataSource.getRepository(TaskEntity).findOneBy({ id, projectId });
  }

  /**
   * Rewrites the option `key` (created empty if absent) with `change(current)`, the row locked for the whole
   * transaction so that concurrent recorders do not lose each other's lines. `change` returns null to leave it as it
   * is. Returns whether it changed.
   */
  async updateOption(key: string, change: (current: string) => string | null): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      await em.createQueryBuilder().insert().into(OptionEntity).values({ key, value: '' }).orIgnore().execute();
      const row = await em
        .getRepository(OptionEntity)
        .findOneOrFail({ where: { key }, lock: { mode: 'pessimistic_write' } });
      const next = change(row.value);
      if (next === null || next === row.value) return false;
      await em.getRepository(OptionEntity).update({ key }, { value: next });
      return true;
    });
  }
}
