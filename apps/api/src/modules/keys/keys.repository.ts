import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import {
  AccessKeyEntity,
  IntegrationEntity,
  InventoryEntity,
  RepositoryEntity,
  TemplateEntity,
  TemplateVaultEntity,
} from '@semaphore/persistence';
import type { ListOrder } from '../../common/validators';
import { type ObjectRefs, type RefItem, uniqueRefs } from './object-refs';

export const KEY_SORT_COLUMNS = ['name', 'type'] as const;
export type KeySort = (typeof KEY_SORT_COLUMNS)[number];

export type AccessKeyRow = Pick<AccessKeyEntity, 'name' | 'type' | 'secret'>;

/** Every query of the access keys feature. */
@Injectable()
export class KeysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(AccessKeyEntity) private readonly keys: Repository<AccessKeyEntity>,
  ) {}

  list(projectId: number, order: ListOrder<KeySort>): Promise<AccessKeyEntity[]> {
    const direction = order.desc ? 'DESC' : 'ASC';
    return this.keys.find({ where: { projectId }, order: { [order.sort]: direction, id: direction } });
  }

  findInProject(projectId: number, id: number): Promise<AccessKeyEntity | null> {
    return this.keys.findOneBy({ id, projectId });
  }

  create(projectId: number, row: AccessKeyRow): Promise<AccessKeyEntity> {
    return this.keys.save(this.keys.create({ ...row, projectId }));
  }

  async update(key: AccessKeyEntity, row: Partial<AccessKeyRow>): Promise<void> {
    await this.keys.update({ id: key.id, projectId: key.projectId ?? undefined }, row);
  }

  async delete(key: AccessKeyEntity): Promise<void> {
    await this.keys.delete({ id: key.id, projectId: key.projectId ?? undefined });
  }

  /**
   * Objects of the project that use the key: repositories, inventories (login or become key) and templates (vault key,
   * or the auth secret of one of their integrations).
   */
  async refs(projectId: number, keyId: number): Promise<ObjectRefs> {
    const [vaultTemplates, integrationTemplates, inventories, repositories] = await Promise.all([
      this.templatesJoined(TemplateVaultEntity, 'x.template_id = t.id AND x.vault_key_id = :keyId', projectId, keyId),
      this.templatesJoined(IntegrationEntity, 'x.template_id = t.id AND x.auth_secret_id = :keyId', projectId, keyId),
      this.dataSource.getRepository(InventoryEntity).find({
        select: { id: true, name: true },
        where: [
          { projectId, sshKeyId: keyId },
          { projectId, becomeKeyId: keyId },
        ],
      }),
      this.dataSource
        .getRepository(RepositoryEntity)
        .find({ select: { id: true, name: true }, where: { projectId, sshKeyId: keyId } }),
    ]);
    return {
      templates: uniqueRefs([...vaultTemplates, ...integrationTemplates]),
      inventories: uniqueRefs(inventories),
      repositories: uniqueRefs(repositories),
      schedules: [],
    };
  }

  private templatesJoined(
    target: typeof TemplateVaultEntity | typeof IntegrationEntity,
    on: string,
    projectId: number,
    keyId: number,
  ): Promise<RefItem[]> {
    return this.dataSource
      .getRepository(TemplateEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.name'])
      .innerJoin(target, 'x', on, { keyId })
      .where('t.project_id = :projectId', { projectId })
      .getMany();
  }
}
