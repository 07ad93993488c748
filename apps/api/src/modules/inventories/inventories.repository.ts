import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { AccessKeyType } from '@semaphore/models';
import { AccessKeyEntity, InventoryEntity, RepositoryEntity, TemplateEntity } from '@semaphore/persistence';
import type { ListOrder } from '../../common/validators';
import { type ObjectRefs, uniqueRefs } from '../keys/object-refs';

export const INVENTORY_SORT_COLUMNS = ['name'] as const;
export type InventorySort = (typeof INVENTORY_SORT_COLUMNS)[number];

export type InventoryRow = Pick<
  InventoryEntity,
  'name' | 'type' | 'inventory' | 'sshKeyId' | 'becomeKeyId' | 'repositoryId'
>;

/** Every query of the inventories feature. */
@Injectable()
export class InventoriesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(InventoryEntity) private readonly inventories: Repository<InventoryEntity>,
  ) {}

  list(projectId: number, order: ListOrder<InventorySort>): Promise<InventoryEntity[]> {
    const direction = order.desc ? 'DESC' : 'ASC';
    return this.inventories.find({ where: { projectId }, order: { [order.sort]: direction, id: direction } });
  }

  findInProject(projectId: number, id: number): Promise<InventoryEntity | null> {
    return this.inventories.findOneBy({ id, projectId });
  }

  /** The type of a key of the project; null when the key is not one of the project's. */
  async keyTypeInProject(projectId: number, keyId: number): Promise<AccessKeyType | null> {
    const key = await this.dataSource
      .getRepository(AccessKeyEntity)
      .findOne({ select: { id: true, type: true }, where: { id: keyId, projectId } });
    return key?.type ?? null;
  }

  repositoryInProject(projectId: number, repositoryId: number): Promise<boolean> {
    return this.dataSource.getRepository(RepositoryEntity).existsBy({ id: repositoryId, projectId });
  }

  create(projectId: number, row: InventoryRow): Promise<InventoryEntity> {
    return this.inventories.save(this.inventories.create({ ...row, projectId, holderId: null }));
  }

  /** `holder_id` is kept: it is server-owned. */
  async update(inventory: InventoryEntity, row: InventoryRow): Promise<void> {
    await this.inventories.update({ id: inventory.id, projectId: inventory.projectId }, row);
  }

  async delete(inventory: InventoryEntity): Promise<void> {
    await this.inventories.delete({ id: inventory.id, projectId: inventory.projectId });
  }

  /** Templates of the project using the inventory. */
  async refs(projectId: number, inventoryId: number): Promise<ObjectRefs> {
    const templates = await this.dataSource
      .getRepository(TemplateEntity)
      .find({ select: { id: true, name: true }, where: { projectId, inventoryId } });
    return { templates: uniqueRefs(templates), inventories: [], repositories: [], schedules: [] };
  }
}
