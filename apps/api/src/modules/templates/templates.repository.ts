import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager, Repository } from 'typeorm';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  IntegrationEntity,
  InventoryEntity,
  RepositoryEntity,
  ScheduleEntity,
  TaskEntity,
  TemplateEntity,
  TemplateVaultEntity,
  ViewEntity,
} from '@semaphore/persistence';
import type { TemplateListOrder, TemplateSort } from './dto/template-query.dto';

/** Whitelisted sort keys -> query-builder columns (never user text). */
const SORT_COLUMNS: Record<TemplateSort, string> = {
  name: 'tpl.name',
  playbook: 'tpl.playbook',
  inventory: 'inv.name',
  environment: 'env.name',
  repository: 'repo.name',
};

export interface RefItem {
  id: number;
  name: string;
}

/** The template's columns (no relations). */
export type TemplateRow = Omit<
  TemplateEntity,
  'id' | 'created' | 'project' | 'vaults' | 'inventory' | 'repository' | 'environment' | 'buildTemplate' | 'view'
>;

export interface VaultRow {
  id: number;
  vaultKeyId: number;
  name: string | null;
}

/** The default workspace inventory of a new terraform/tofu template without one. */
export type DefaultInventory = Pick<InventoryEntity, 'name' | 'type' | 'inventory'>;

/** Every query of the templates feature. */
@Injectable()
export class TemplatesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
    @InjectRepository(TemplateVaultEntity) private readonly vaults: Repository<TemplateVaultEntity>,
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
  ) {}

  list(projectId: number, order: TemplateListOrder, viewId?: number): Promise<TemplateEntity[]> {
    const qb = this.templates
      .createQueryBuilder('tpl')
      .leftJoin('tpl.inventory', 'inv')
      .leftJoin('tpl.environment', 'env')
      .leftJoin('tpl.repository', 'repo')
      .where('tpl.projectId = :projectId', { projectId });
    if (viewId !== undefined) qb.andWhere('tpl.viewId = :viewId', { viewId });
    const direction = order.desc ? 'DESC' : 'ASC';
    return qb.orderBy(SORT_COLUMNS[order.sort], direction).addOrderBy('tpl.id', direction).getMany();
  }

  findInProject(projectId: number, id: number): Promise<TemplateEntity | null> {
    return this.templates.findOneBy({ id, projectId });
  }

  vaultsOf(templateIds: number[]): Promise<TemplateVaultEntity[]> {
    if (!templateIds.length) return Promise.resolve([]);
    return this.vaults.find({ where: { templateId: In(templateIds) }, order: { id: 'ASC' } });
  }

  async taskCounts(templateIds: number[]): Promise<Map<number, number>> {
    if (!templateIds.length) return new Map();
    const rows = await this.tasks
      .createQueryBuilder('t')
      .select('t.template_id', 'templateId')
      .addSelect('COUNT(*)', 'count')
      .where('t.template_id IN (:...templateIds)', { templateIds })
      .groupBy('t.template_id')
      .getRawMany<{ templateId: number; count: string }>();
    return new Map(rows.map((r) => [Number(r.templateId), Number(r.count)]));
  }

  /** The newest task of each template, with its user and build task (for `last_task`). */
  async lastTasks(templateIds: number[]): Promise<Map<number, TaskEntity>> {
    if (!templateIds.length) return new Map();
    const newest = await this.tasks
      .createQueryBuilder('t')
      .select('MAX(t.id)', 'id')
      .where('t.template_id IN (:...templateIds)', { templateIds })
      .groupBy('t.template_id')
      .getRawMany<{ id: number }>();
    if (!newest.length) return new Map();
    const tasks = await this.tasks.find({
      where: { id: In(newest.map((r) => Number(r.id))) },
      relations: { user: true, buildTask: true },
    });
    return new Map(tasks.map((t) => [t.templateId, t]));
  }

  /** The ids of the vaults of a template (to check that a body's vault ids belong to it). */
  async vaultIdsOf(templateId: number): Promise<Set<number>> {
    const rows = await this.vaults.find({ select: { id: true }, where: { templateId } });
    return new Set(rows.map((r) => r.id));
  }

  repositoryInProject(projectId: number, id: number): Promise<boolean> {
    return this.dataSource.getRepository(RepositoryEntity).existsBy({ id, projectId });
  }

  inventoryInProject(projectId: number, id: number): Promise<boolean> {
    return this.dataSource.getRepository(InventoryEntity).existsBy({ id, projectId });
  }

  environmentInProject(projectId: number, id: number): Promise<boolean> {
    return this.dataSource.getRepository(EnvironmentEntity).existsBy({ id, projectId });
  }

  viewInProject(projectId: number, id: number): Promise<boolean> {
    return this.dataSource.getRepository(ViewEntity).existsBy({ id, projectId });
  }

  /** The project's access keys among `ids`. */
  async keysInProject(projectId: number, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.dataSource
      .getRepository(AccessKeyEntity)
      .find({ select: { id: true }, where: { projectId, id: In(ids) } });
    return new Set(rows.map((r) => r.id));
  }

  async create(
    projectId: number,
    row: TemplateRow,
    vaults: VaultRow[],
    defaultInventory: DefaultInventory | null,
  ): Promise<TemplateEntity> {
    return this.dataSource.transaction(async (em) => {
      const templates = em.getRepository(TemplateEntity);
      const template = await templates.save(templates.create({ ...row, projectId }));
      await this.insertVaults(em, template, vaults);
      if (defaultInventory) {
        const inventories = em.getRepository(InventoryEntity);
        const inventory = await inventories.save(
          inventories.create({ ...defaultInventory, projectId, holderId: template.id }),
        );
        await templates.update({ id: template.id }, { inventoryId: inventory.id });
        template.inventoryId = inventory.id;
      }
      return template;
    });
  }

  /** Updates the row and replaces the vaults wholesale (id 0 = insert, missing = delete, others updated). */
  async update(template: TemplateEntity, row: TemplateRow, vaults: VaultRow[]): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      // task_params is not part of the wire body and stays as it is.
      const { taskParams: _unchanged, ...columns } = row;
      await em.getRepository(TemplateEntity).update({ id: template.id, projectId: template.projectId }, columns);
      const repo = em.getRepository(TemplateVaultEntity);
      const kept = vaults.filter((v) => v.id !== 0).map((v) => v.id);
      const stale = repo.createQueryBuilder().delete().where('template_id = :templateId', { templateId: template.id });
      if (kept.length) stale.andWhere('id NOT IN (:...kept)', { kept });
      await stale.execute();
      for (const vault of vaults.filter((v) => v.id !== 0)) {
        await repo.update(
          { id: vault.id, templateId: template.id },
          { vaultKeyId: vault.vaultKeyId, name: vault.name },
        );
      }
      await this.insertVaults(
        em,
        template,
        vaults.filter((v) => v.id === 0),
      );
    });
  }

  /** Deletes the template (its tasks, schedules, vaults and integrations cascade) and its unused default inventories. */
  async delete(template: TemplateEntity): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(TemplateEntity).delete({ id: template.id, projectId: template.projectId });
      const inventories = em.getRepository(InventoryEntity);
      const held = await inventories.find({ where: { holderId: template.id, projectId: template.projectId } });
      for (const inventory of held) {
        const used = await em.getRepository(TemplateEntity).existsBy({ inventoryId: inventory.id });
        if (!used) await inventories.delete({ id: inventory.id });
      }
    });
  }

  /** Deploy templates built from this one. */
  deployTemplatesOf(template: TemplateEntity): Promise<RefItem[]> {
    return this.templates.find({
      select: { id: true, name: true },
      where: { projectId: template.projectId, buildTemplateId: template.id },
      order: { id: 'ASC' },
    });
  }

  schedulesOf(template: TemplateEntity): Promise<RefItem[]> {
    return this.dataSource.getRepository(ScheduleEntity).find({
      select: { id: true, name: true },
      where: { projectId: template.projectId, templateId: template.id },
      order: { id: 'ASC' },
    });
  }

  integrationsOf(template: TemplateEntity): Promise<RefItem[]> {
    return this.dataSource.getRepository(IntegrationEntity).find({
      select: { id: true, name: true },
      where: { projectId: template.projectId, templateId: template.id },
      order: { id: 'ASC' },
    });
  }

  private async insertVaults(em: EntityManager, template: TemplateEntity, vaults: VaultRow[]): Promise<void> {
    if (!vaults.length) return;
    const repo = em.getRepository(TemplateVaultEntity);
    await repo.insert(
      vaults.map((v) => ({
        projectId: template.projectId,
        templateId: template.id,
        vaultKeyId: v.vaultKeyId,
        name: v.name,
      })),
    );
  }
}
