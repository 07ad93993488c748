import { Injectable } from '@nestjs/common';
import { TemplateType } from '@semaphore/models';
import type { ScheduleEntity, TemplateEntity } from '@semaphore/persistence';
import type {
  BackupFormat,
  BackupIntegration,
  BackupInventory,
  BackupTemplate,
  BackupTemplateVault,
} from './backup-format';
import { byName, exportedName, uniqueNames } from './backup-names';
import { type BackupRows, BackupRepository } from './backup.repository';

/** `GET P/backup` and `semaphore project export`: the same object, built from the same rows. */
@Injectable()
export class BackupExportService {
  constructor(private readonly repo: BackupRepository) {}

  /** Null when the project does not exist. */
  async export(projectId: number): Promise<BackupFormat | null> {
    const rows = await this.repo.load(projectId);
    return rows ? toBackupFormat(rows) : null;
  }
}

type Names = Map<number, string>;

/** Names of the optional reference: undefined (left out) when there is none. */
const nameOf = (names: Names, id: number | null): string | undefined => (id === null ? undefined : names.get(id));

/** Drops the keys whose value is undefined, so that optional fields are left out as upstream omits nil pointers. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const sortedByName = <T extends { name: string }>(items: T[]): T[] => items.sort((a, b) => byName(a.name, b.name));

/**
 * The backup of one project (reference §6.4): names instead of ids, made unique per section (see `uniqueNames`), no
 * secrets. Unlike upstream's SQL backends, templates keep survey vars, vaults, autorun and suppress_success_alerts.
 * Lists are sorted by name (views by position), parts of an object by id, so two exports of the same data are equal.
 */
export function toBackupFormat(rows: BackupRows): BackupFormat {
  const keys = uniqueNames(rows.keys, (k) => k.name);
  const environments = uniqueNames(rows.environments, (e) => e.name);
  const repositories = uniqueNames(rows.repositories, (r) => r.name);
  const inventories = uniqueNames(rows.inventories, (i) => i.name);
  const views = uniqueNames(rows.views, (v) => v.title);
  const templates = uniqueNames(rows.templates, (t) => t.name);
  const { project } = rows;

  return {
    meta: defined({
      name: exportedName(project.name),
      alert: project.alert,
      alert_chat: project.alertChat ?? undefined,
      max_parallel_tasks: project.maxParallelTasks,
      type: project.type,
    }),
    keys: sortedByName(rows.keys.map((k) => ({ name: keys.get(k.id) as string, type: k.type }))),
    environments: sortedByName(
      rows.environments.map((e) =>
        defined({
          name: environments.get(e.id) as string,
          json: e.json,
          password: e.password ?? undefined,
          env: e.env ?? undefined,
        }),
      ),
    ),
    repositories: sortedByName(
      rows.repositories.map((r) =>
        defined({
          name: repositories.get(r.id) as string,
          git_url: r.gitUrl,
          git_branch: r.gitBranch,
          ssh_key: keys.get(r.sshKeyId) as string,
        }),
      ),
    ),
    inventories: sortedByName(
      rows.inventories.map((i): BackupInventory =>
        defined({
          name: inventories.get(i.id) as string,
          inventory: i.inventory,
          type: i.type,
          ssh_key: nameOf(keys, i.sshKeyId),
          become_key: nameOf(keys, i.becomeKeyId),
          repository: nameOf(repositories, i.repositoryId),
        }),
      ),
    ),
    views: rows.views
      .map((v) => ({ title: views.get(v.id) as string, position: v.position }))
      .sort((a, b) => a.position - b.position || byName(a.title, b.title)),
    templates: sortedByName(
      rows.templates.map((t) =>
        templateOf(t, rows, { keys, environments, repositories, inventories, views, templates }),
      ),
    ),
    integrations: sortedByName(integrationsOf(rows, templates, keys)),
    integration_aliases: rows.aliases.filter((a) => a.integrationId === null).map((a) => a.alias),
  };
}

interface SectionNames {
  keys: Names;
  environments: Names;
  repositories: Names;
  inventories: Names;
  views: Names;
  templates: Names;
}

function templateOf(t: TemplateEntity, rows: BackupRows, names: SectionNames): BackupTemplate {
  const vaults = rows.vaults
    .filter((v) => v.templateId === t.id && names.keys.has(v.vaultKeyId))
    .map((v): BackupTemplateVault =>
      defined({ name: v.name ?? undefined, vault_key: names.keys.get(v.vaultKeyId) as string }),
    );
  return defined({
    name: names.templates.get(t.id) as string,
    playbook: t.playbook,
    arguments: t.arguments ?? undefined,
    allow_override_args_in_task: t.allowOverrideArgsInTask,
    description: t.description ?? undefined,
    type: t.type,
    start_version: t.startVersion ?? undefined,
    autorun: t.autorun,
    git_branch: t.gitBranch ?? undefined,
    survey_vars: (t.surveyVars ?? []).map((v) => ({
      name: v.name,
      title: v.title,
      required: v.required,
      type: v.type,
      description: v.description,
      values: (v.values ?? []).map((value) => ({ name: value.name, value: value.value })),
    })),
    suppress_success_alerts: t.suppressSuccessAlerts,
    app: t.app,
    inventory: nameOf(names.inventories, t.inventoryId),
    repository: names.repositories.get(t.repositoryId) as string,
    environment: nameOf(names.environments, t.environmentId),
    // As upstream's restore, only a deploy template has a build template.
    build_template: t.type === TemplateType.Deploy ? nameOf(names.templates, t.buildTemplateId) : undefined,
    view: nameOf(names.views, t.viewId),
    vaults,
    cron: cronOf(t.id, rows.schedules),
    allow_override_branch_in_task: t.allowOverrideBranchInTask,
    allow_parallel_tasks: t.allowParallelTasks,
    runner_tag: t.runnerTag ?? undefined,
  });
}

/**
 * The format has one `cron` per template: that of the template's first (lowest id) active plain cron schedule.
 * Inactive, one-shot (`run_at`) and new-commit (`repository_id`) schedules have no place in it and are left out.
 */
function cronOf(templateId: number, schedules: readonly ScheduleEntity[]): string | undefined {
  return schedules.find(
    (s) =>
      s.templateId === templateId && s.active && s.cronFormat !== '' && s.runAt === null && s.repositoryId === null,
  )?.cronFormat;
}

/** Integrations whose template is not in the project are left out, as upstream does. */
function integrationsOf(rows: BackupRows, templates: Names, keys: Names): BackupIntegration[] {
  const names = uniqueNames(rows.integrations, (i) => i.name);
  return rows.integrations
    .filter((i) => templates.has(i.templateId))
    .map((i) =>
      defined({
        name: names.get(i.id) as string,
        auth_method: i.authMethod,
        auth_header: i.authHeader,
        searchable: i.searchable,
        task_params: i.taskParams ?? {},
        aliases: rows.aliases.filter((a) => a.integrationId === i.id).map((a) => a.alias),
        matchers: rows.matchers
          .filter((m) => m.integrationId === i.id)
          .map((m) => ({
            name: m.name,
            match_type: m.matchType,
            method: m.method,
            body_data_type: m.bodyDataType,
            key: m.key,
            value: m.value,
          })),
        extract_values: rows.values
          .filter((v) => v.integrationId === i.id)
          .map((v) => ({
            name: v.name,
            value_source: v.valueSource,
            body_data_type: v.bodyDataType,
            key: v.key,
            variable: v.variable,
          })),
        template: templates.get(i.templateId) as string,
        auth_secret: nameOf(keys, i.authSecretId),
      }),
    );
}
