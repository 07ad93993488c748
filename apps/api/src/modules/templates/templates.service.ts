import { Injectable } from '@nestjs/common';
import { AppId, InventoryType, TemplateType, type WireTemplate } from '@semaphore/models';
import type { ProjectEntity, TemplateEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, inUse, notFound } from '../../common/api-errors';
import { toWireTaskWithTpl, toWireTemplate } from '../../wire';
import { EventsService } from '../events/events.service';
import type { TemplateListOrder } from './dto/template-query.dto';
import type { TemplateDto } from './dto/template.dto';
import { isTerraformApp, templateRowFromDto, vaultRowsFromDto } from './template-input';
import {
  type DefaultInventory,
  type RefItem,
  type TemplateRow,
  TemplatesRepository,
  type VaultRow,
} from './templates.repository';

export interface TemplateRefs {
  templates: RefItem[];
  inventories: RefItem[];
  repositories: RefItem[];
  schedules: RefItem[];
  integrations: RefItem[];
}

@Injectable()
export class TemplatesService {
  constructor(
    private readonly repo: TemplatesRepository,
    private readonly events: EventsService,
  ) {}

  /** Complete templates (vaults, survey vars, last task, task count) in the given order. */
  async list(projectId: number, order: TemplateListOrder, viewId?: number): Promise<WireTemplate[]> {
    return this.present(await this.repo.list(projectId, order, viewId));
  }

  /** A template of the project, or 404 (also for another project's template). */
  async get(projectId: number, id: number): Promise<TemplateEntity> {
    const template = await this.repo.findInProject(projectId, id);
    if (!template) throw notFound('Template');
    return template;
  }

  async getWire(projectId: number, id: number): Promise<WireTemplate> {
    const [wire] = await this.present([await this.get(projectId, id)]);
    return wire;
  }

  async create(project: ProjectEntity, user: UserEntity, dto: TemplateDto): Promise<WireTemplate> {
    checkBodyIds(dto, project.id, null);
    const row = templateRowFromDto(dto, null);
    const vaults = vaultRowsFromDto(dto).map((v) => ({ ...v, id: 0 }));
    await this.checkReferences(project.id, row, vaults, null);
    const template = await this.repo.create(project.id, row, vaults, defaultInventoryFor(row));
    await this.log(project, user, template, 'created');
    return this.getWire(project.id, template.id);
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, dto: TemplateDto): Promise<void> {
    const existing = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    const row = templateRowFromDto(dto, existing);
    const vaults = vaultRowsFromDto(dto);
    await this.checkReferences(project.id, row, vaults, existing);
    await this.repo.update(existing, row, vaults);
    await this.log(project, user, { ...existing, name: row.name }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const template = await this.get(project.id, id);
    if ((await this.repo.deployTemplatesOf(template)).length) throw inUse('Template');
    await this.repo.delete(template);
    await this.log(project, user, template, 'deleted');
  }

  async refs(projectId: number, id: number): Promise<TemplateRefs> {
    const template = await this.get(projectId, id);
    const [templates, schedules, integrations] = await Promise.all([
      this.repo.deployTemplatesOf(template),
      this.repo.schedulesOf(template),
      this.repo.integrationsOf(template),
    ]);
    return { templates, inventories: [], repositories: [], schedules, integrations };
  }

  private async present(templates: TemplateEntity[]): Promise<WireTemplate[]> {
    const ids = templates.map((t) => t.id);
    const [vaults, counts, lastTasks] = await Promise.all([
      this.repo.vaultsOf(ids),
      this.repo.taskCounts(ids),
      this.repo.lastTasks(ids),
    ]);
    return templates.map((template) => {
      const last = lastTasks.get(template.id);
      return toWireTemplate(template, {
        vaults: vaults.filter((v) => v.templateId === template.id),
        lastTask: last
          ? toWireTaskWithTpl(last, { template, user: last.user ?? null, buildTask: last.buildTask ?? null })
          : null,
        tasks: counts.get(template.id) ?? 0,
      });
    });
  }

  /** Every referenced id must belong to the project (SECURITY.md §2): 400 naming the field otherwise. */
  private async checkReferences(
    projectId: number,
    row: TemplateRow,
    vaults: VaultRow[],
    existing: TemplateEntity | null,
  ): Promise<void> {
    if (!(await this.repo.repositoryInProject(projectId, row.repositoryId))) {
      throw badRequest('repository_id does not refer to a repository of this project');
    }
    if (row.inventoryId !== null && !(await this.repo.inventoryInProject(projectId, row.inventoryId))) {
      throw badRequest('inventory_id does not refer to an inventory of this project');
    }
    if (row.environmentId !== null && !(await this.repo.environmentInProject(projectId, row.environmentId))) {
      throw badRequest('environment_id does not refer to an environment of this project');
    }
    if (row.viewId !== null && !(await this.repo.viewInProject(projectId, row.viewId))) {
      throw badRequest('view_id does not refer to a view of this project');
    }
    await this.checkBuildTemplate(projectId, row, existing);
    await this.checkVaults(projectId, vaults, existing);
  }

  private async checkBuildTemplate(projectId: number, row: TemplateRow, existing: TemplateEntity | null) {
    if (row.buildTemplateId === null) return;
    const build = await this.repo.findInProject(projectId, row.buildTemplateId);
    if (!build) throw badRequest('build_template_id does not refer to a template of this project');
    if (build.type !== TemplateType.Build || build.id === existing?.id) {
      throw badRequest('build_template_id must refer to another template of type build');
    }
  }

  private async checkVaults(projectId: number, vaults: VaultRow[], existing: TemplateEntity | null) {
    const keys = await this.repo.keysInProject(
      projectId,
      vaults.map((v) => v.vaultKeyId),
    );
    const own = existing ? await this.repo.vaultIdsOf(existing.id) : new Set<number>();
    vaults.forEach((v, i) => {
      if (!keys.has(v.vaultKeyId)) throw badRequest(`vaults.${i}.vault_key_id does not refer to a key of this project`);
      if (v.id !== 0 && !own.has(v.id)) throw badRequest(`vaults.${i}.id does not refer to a vault of this template`);
    });
  }

  private log(project: ProjectEntity, user: UserEntity, template: Pick<TemplateEntity, 'id' | 'name'>, verb: string) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'template',
      objectId: template.id,
      description: `Template ${template.name} ${verb}`,
    });
  }
}

/** `id`/`project_id` in a body may be omitted, but must not differ from the URL (0 counts as omitted). */
function checkBodyIds(dto: TemplateDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the template id of the URL');
  }
}

/** Upstream: a terraform/tofu template without an inventory gets a "<name> - default" workspace inventory. */
function defaultInventoryFor(row: TemplateRow): DefaultInventory | null {
  if (!isTerraformApp(row.app) || row.inventoryId !== null) return null;
  return {
    name: `${row.name.slice(0, 245)} - default`,
    type: row.app === AppId.Tofu ? InventoryType.TofuWorkspace : InventoryType.TerraformWorkspace,
    inventory: 'default',
  };
}
