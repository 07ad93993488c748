import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ProjectRole, TemplateType } from '@semaphore/models';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  EventEntity,
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  InventoryEntity,
  ProjectEntity,
  ProjectMemberEntity,
  RepositoryEntity,
  ScheduleEntity,
  TemplateEntity,
  TemplateVaultEntity,
  ViewEntity,
} from '@semaphore/persistence';
import { newIntegrationAlias } from '../integrations/integration-aliases.service';
import type { PlannedTemplate, RestorePlan } from './restore-plan';

export interface RestoredProject {
  project: ProjectEntity;
  /** The schedules created for the templates' `cron`s (to be registered with the schedule firing). */
  scheduleIds: number[];
  /** Aliases of the backup already used on this server: replaced by new random ones. */
  replacedAliases: number;
}

/** Rows per INSERT: far below PostgreSQL's 65535 bind parameters for the widest table (templates). */
const CHUNK = 500;

/** Name -> id of one section of the restored project. */
class Ids {
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly what: string,
    names: readonly string[],
    ids: readonly number[],
  ) {
    names.forEach((name, i) => this.ids.set(name, ids[i]));
  }

  add(name: string, id: number): void {
    this.ids.set(name, id);
  }

  /** The plan was checked, so a miss is a bug: it aborts (and rolls back) the restore. */
  of(name: string): number {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`restore: no ${this.what} named ${JSON.stringify(name)} was created`);
    return id;
  }

  optional(name: string | null): number | null {
    return name === null ? null : this.of(name);
  }
}

/**
 * Writes a checked restore plan in ONE transaction, in upstream's order: project (the owner as member), environments,
 * views, keys (without secrets), repositories, inventories, templates (deploy templates last), schedules, vaults,
 * integrations with their matchers, values and aliases, project aliases, and the audit event. Any failure leaves
 * nothing behind.
 */
@Injectable()
export class BackupRestoreRepository {
  constructor(private readonly dataSource: DataSource) {}

  restore(plan: RestorePlan, ownerId: number): Promise<RestoredProject> {
    return this.dataSource.transaction((em) => new RestoreWriter(em, plan).write(ownerId));
  }
}

type Refs = Record<'views' | 'keys' | 'environments' | 'repositories' | 'inventories', Ids>;

class RestoreWriter {
  private projectId = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly plan: RestorePlan,
  ) {}

  async write(ownerId: number): Promise<RestoredProject> {
    const { em } = this;
    const project = await em.save(em.create(ProjectEntity, this.plan.project));
    this.projectId = project.id;
    await em.insert(ProjectMemberEntity, { projectId: project.id, userId: ownerId, role: ProjectRole.Owner });
    const refs = await this.resources();
    const templates = await this.templates(refs);
    const scheduleIds = await this.schedulesAndVaults(templates, refs.keys);
    const replacedAliases = await this.integrations(templates, refs.keys);
    await em.insert(EventEntity, {
      projectId: project.id,
      userId: ownerId,
      objectType: 'project',
      objectId: project.id,
      description: `Project ${project.name} restored from a backup`,
      integrationId: null,
    });
    return { project, scheduleIds, replacedAliases };
  }

  /** Environments, views, keys, repositories and inventories, in that order. */
  private async resources(): Promise<Refs> {
    const { plan, projectId } = this;
    const environments = await this.ids(
      'environment',
      EnvironmentEntity,
      plan.environments,
      (e) => e.name,
      (e) => ({
        ...e,
        projectId,
        password: null,
      }),
    );
    const views = await this.ids(
      'view',
      ViewEntity,
      plan.views,
      (v) => v.title,
      (v) => ({ ...v, projectId }),
    );
    // Restored keys have no secret: the API shows them with `empty: true` until someone sets one.
    const keys = await this.ids(
      'key',
      AccessKeyEntity,
      plan.keys,
      (k) => k.name,
      (k) => ({
        ...k,
        projectId,
        secret: null,
      }),
    );
    const repositories = await this.ids(
      'repository',
      RepositoryEntity,
      plan.repositories,
      (r) => r.name,
      (r) => ({
        projectId,
        name: r.name,
        gitUrl: r.gitUrl,
        gitBranch: r.gitBranch,
        sshKeyId: keys.of(r.sshKey),
      }),
    );
    const inventories = await this.ids(
      'inventory',
      InventoryEntity,
      plan.inventories,
      (i) => i.name,
      (i) => ({
        projectId,
        name: i.name,
        type: i.type,
        inventory: i.inventory,
        sshKeyId: keys.optional(i.sshKey),
        becomeKeyId: keys.optional(i.becomeKey),
        repositoryId: repositories.optional(i.repository),
        holderId: null,
      }),
    );
    return { views, keys, environments, repositories, inventories };
  }

  /** An active schedule per template `cron`; the template vaults. Returns the schedule ids. */
  private async schedulesAndVaults(templates: Ids, keys: Ids): Promise<number[]> {
    const { plan, projectId } = this;
    const scheduleIds = await this.insert(
      ScheduleEntity,
      plan.templates
        .filter((t) => t.cron !== null)
        .map((t) => ({
          projectId,
          templateId: templates.of(t.name),
          cronFormat: t.cron as string,
          name: '',
          active: true,
        })),
    );
    await this.insert(
      TemplateVaultEntity,
      plan.templates.flatMap((t) =>
        t.vaults.map((v) => ({
          projectId,
          templateId: templates.of(t.name),
          vaultKeyId: keys.of(v.vaultKey),
          name: v.name,
        })),
      ),
    );
    return scheduleIds;
  }

  /** Plain and build templates first, then deploy templates, whose build template then has an id. */
  private async templates(refs: Refs): Promise<Ids> {
    const templates = new Ids('template', [], []);
    const row = (t: PlannedTemplate) => ({
      projectId: this.projectId,
      name: t.name,
      playbook: t.playbook,
      arguments: t.arguments,
      allowOverrideArgsInTask: t.allowOverrideArgsInTask,
      description: t.description,
      type: t.type,
      startVersion: t.startVersion,
      autorun: t.autorun,
      gitBranch: t.gitBranch,
      surveyVars: t.surveyVars,
      suppressSuccessAlerts: t.suppressSuccessAlerts,
      app: t.app,
      allowOverrideBranchInTask: t.allowOverrideBranchInTask,
      allowParallelTasks: t.allowParallelTasks,
      runnerTag: t.runnerTag,
      inventoryId: refs.inventories.optional(t.inventory),
      repositoryId: refs.repositories.of(t.repository),
      environmentId: refs.environments.optional(t.environment),
      viewId: refs.views.optional(t.view),
      buildTemplateId: t.type === TemplateType.Deploy ? templates.of(t.buildTemplate as string) : null,
    });
    for (const batch of [
      this.plan.templates.filter((t) => t.type !== TemplateType.Deploy),
      this.plan.templates.filter((t) => t.type === TemplateType.Deploy),
    ]) {
      const ids = await this.insert(TemplateEntity, batch.map(row));
      batch.forEach((t, i) => templates.add(t.name, ids[i]));
    }
    return templates;
  }

  /** Returns how many aliases had to be replaced because this server already uses them. */
  private async integrations(templates: Ids, keys: Ids): Promise<number> {
    const { em, plan, projectId } = this;
    const ids = await this.insert(
      IntegrationEntity,
      plan.integrations.map((i) => ({
        projectId,
        name: i.name,
        templateId: templates.of(i.template),
        authMethod: i.authMethod,
        authSecretId: keys.optional(i.authSecret),
        authHeader: i.authHeader,
        searchable: i.searchable,
        // jsonb: TypeORM's partial-entity type cannot express an arbitrary JSON object.
        taskParams: i.taskParams as QueryDeepPartialEntity<Record<string, unknown>> | null,
      })),
    );
    await this.insert(
      IntegrationMatcherEntity,
      plan.integrations.flatMap((i, n) =>
        i.matchers.map((m) => ({
          integrationId: ids[n],
          name: m.name,
          matchType: m.source,
          method: m.method,
          bodyDataType: m.bodyDataType,
          key: m.key,
          value: m.value,
        })),
      ),
    );
    await this.insert(
      IntegrationExtractValueEntity,
      plan.integrations.flatMap((i, n) =>
        i.extractValues.map((v) => ({
          integrationId: ids[n],
          name: v.name,
          valueSource: v.source,
          bodyDataType: v.bodyDataType,
          key: v.key,
          variable: v.variable,
        })),
      ),
    );
    const aliases = [
      ...plan.integrations.flatMap((i, n) =>
        i.aliases.map((alias) => ({ alias, integrationId: ids[n] as number | null })),
      ),
      ...plan.projectAliases.map((alias) => ({ alias, integrationId: null })),
    ];
    const taken = aliases.length
      ? new Set(
          (
            await em.find(IntegrationAliasEntity, {
              select: { alias: true },
              where: { alias: In(aliases.map((a) => a.alias)) },
            })
          ).map((a) => a.alias),
        )
      : new Set<string>();
    await this.insert(
      IntegrationAliasEntity,
      aliases.map((a) => ({
        projectId,
        integrationId: a.integrationId,
        alias: taken.has(a.alias) ? newIntegrationAlias() : a.alias,
      })),
    );
    return aliases.filter((a) => taken.has(a.alias)).length;
  }

  /** Inserts the rows of one section and maps each name to the new id. */
  private async ids<T, E extends ObjectLiteral>(
    what: string,
    entity: EntityTarget<E>,
    items: readonly T[],
    nameOf: (item: T) => string,
    row: (item: T) => QueryDeepPartialEntity<E>,
  ): Promise<Ids> {
    return new Ids(what, items.map(nameOf), await this.insert(entity, items.map(row)));
  }

  /** Bulk inserts in chunks; the generated ids come back in the order of `rows`. */
  private async insert<E extends ObjectLiteral>(
    entity: EntityTarget<E>,
    rows: QueryDeepPartialEntity<E>[],
  ): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const result = await this.em.insert(entity, rows.slice(i, i + CHUNK));
      ids.push(...result.identifiers.map((identifier) => (identifier as { id: number }).id));
    }
    return ids;
  }
}
