import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import {
  AccessKeyEntity,
  InventoryEntity,
  RepositoryEntity,
  ScheduleEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import type { ListOrder } from '../../common/validators';
import { type ObjectRefs, uniqueRefs } from '../keys/object-refs';

export const REPOSITORY_SORT_COLUMNS = ['name'] as const;
export type RepositorySort = (typeof REPOSITORY_SORT_COLUMNS)[number];

export type RepositoryRow = Pick<RepositoryEntity, 'name' | 'gitUrl' | 'gitBranch' | 'sshKeyId'>;

/** Every query of the repositories feature. */
@Injectable()
export class RepositoriesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(RepositoryEntity) private readonly repositories: Repository<RepositoryEntity>,
  ) {}

  list(projectId: number, order: ListOrder<RepositorySort>): Promise<RepositoryEntity[]> {
    const direction = order.desc ? 'DESC' : 'ASC';
    return this.repositories.find({ where: { projectId }, order: { [order.sort]: direction, id: direction } });
  }

  findInProject(projectId: number, id: number): Promise<RepositoryEntity | null> {
    return this.repositories.findOneBy({ id, projectId });
  }

  keyInProject(projectId: number, keyId: number): Promise<boolean> {
    return this.dataSource.getRepository(AccessKeyEntity).existsBy({ id: keyId, projectId });
  }

  create(projectId: number, row: RepositoryRow): Promise<RepositoryEntity> {
    return this.repositories.save(this.repositories.create({ ...row, projectId }));
  }

  async update(repository: RepositoryEntity, row: RepositoryRow): Promise<void> {
    await this.repositories.update({ id: repository.id, projectId: repository.projectId }, row);
  }

  async delete(repository: RepositoryEntity): Promise<void> {
    await this.repositories.delete({ id: repository.id, projectId: repository.projectId });
  }

  /** Templates, inventories (`repository_id`) and schedules (`repository_id` triggers) of the project using it. */
  async refs(projectId: number, repositoryId: number): Promise<ObjectRefs> {
    const where = { projectId, repositoryId };
    const select = { id: true, name: true } as const;
    const [templates, inventories, schedules] = await Promise.all([
      this.dataSource.getRepository(TemplateEntity).find({ select, where }),
      this.dataSource.getRepository(InventoryEntity).find({ select, where }),
      this.dataSource.getRepository(ScheduleEntity).find({ select, where }),
    ]);
    return {
      templates: uniqueRefs(templates),
      inventories: uniqueRefs(inventories),
      repositories: [],
      schedules: uniqueRefs(schedules),
    };
  }
}
