import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  InventoryEntity,
  ProjectEntity,
  RepositoryEntity,
  ScheduleEntity,
  TemplateEntity,
  TemplateVaultEntity,
  ViewEntity,
} from '@semaphore/persistence';

/** Everything of one project that goes into a backup. Access keys come without their `secret` column. */
export interface BackupRows {
  project: ProjectEntity;
  keys: Pick<AccessKeyEntity, 'id' | 'name' | 'type'>[];
  environments: Pick<EnvironmentEntity, 'id' | 'name' | 'json' | 'env' | 'password'>[];
  repositories: RepositoryEntity[];
  inventories: InventoryEntity[];
  views: ViewEntity[];
  templates: TemplateEntity[];
  vaults: TemplateVaultEntity[];
  schedules: ScheduleEntity[];
  integrations: IntegrationEntity[];
  matchers: IntegrationMatcherEntity[];
  values: IntegrationExtractValueEntity[];
  aliases: IntegrationAliasEntity[];
}

const BY_ID = { id: 'ASC' } as const;

/** The reads of an export: every query is scoped by the project id. */
@Injectable()
export class BackupRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Null when the project does not exist. */
  async load(projectId: number): Promise<BackupRows | null> {
    const em = this.dataSource.manager;
    const project = await em.findOneBy(ProjectEntity, { id: projectId });
    if (!project) return null;
    const where = { projectId };
    const [keys, environments, repositories, inventories, views, templates, schedules, integrations, aliases] =
      await Promise.all([
        // The secret column is never read for a backup.
        em.find(AccessKeyEntity, { select: { id: true, name: true, type: true }, where, order: BY_ID }),
        em.find(EnvironmentEntity, {
          select: { id: true, name: true, json: true, env: true, password: true },
          where,
          order: BY_ID,
        }),
        em.find(RepositoryEntity, { where, order: BY_ID }),
        em.find(InventoryEntity, { where, order: BY_ID }),
        em.find(ViewEntity, { where, order: BY_ID }),
        em.find(TemplateEntity, { where, order: BY_ID }),
        em.find(ScheduleEntity, { where, order: BY_ID }),
        em.find(IntegrationEntity, { where, order: BY_ID }),
        em.find(IntegrationAliasEntity, { where, order: BY_ID }),
      ]);
    const templateIds = templates.map((t) => t.id);
    const integrationIds = integrations.map((i) => i.id);
    const [vaults, matchers, values] = await Promise.all([
      templateIds.length
        ? em.find(TemplateVaultEntity, { where: { projectId, templateId: In(templateIds) }, order: BY_ID })
        : [],
      integrationIds.length
        ? em.find(IntegrationMatcherEntity, { where: { integrationId: In(integrationIds) }, order: BY_ID })
        : [],
      integrationIds.length
        ? em.find(IntegrationExtractValueEntity, { where: { integrationId: In(integrationIds) }, order: BY_ID })
        : [],
    ]);
    return {
      project,
      keys,
      environments,
      repositories,
      inventories,
      views,
      templates,
      vaults,
      schedules,
      integrations,
      matchers,
      values,
      aliases,
    };
  }
}
