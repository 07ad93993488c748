import { TemplateType, type WireSurveyVar, type WireTaskWithTpl, type WireTemplate } from '@semaphore/models';
import type { SurveyVar, TemplateEntity, TemplateVaultEntity } from '@semaphore/persistence';
import {
  compact,
  readBoolean,
  readEnum,
  readInt,
  readNullableInt,
  readNullableString,
  readObjectArray,
  readString,
  wireBody,
  type WireBody,
} from './input.wire';
import { sshOptionsFromWire, toWireSshOptions } from './ssh-options.wire';

export interface TemplateWireExtras {
  /** The template's vaults (`project__template_vault` rows); `[]` when it has none. */
  vaults: readonly TemplateVaultEntity[];
  /** Defaults to the entity's `surveyVars` column. */
  surveyVars?: readonly SurveyVar[] | null;
  /** The last task of the template, already mapped with `toWireTaskWithTpl`, or null. */
  lastTask: WireTaskWithTpl | null;
  /** Number of tasks of the template. */
  tasks: number;
}

/**
 * A template, complete, for both the single GET and the list. Upstream's SQL list returns `autorun` and
 * `suppress_success_alerts` as false and `vaults`/`survey_vars` as null (quirk §10 #8); we do NOT copy that quirk:
 * the list returns the complete object, like upstream's single GET (and its BoltDB list).
 */
export function toWireTemplate(template: TemplateEntity, extras: TemplateWireExtras): WireTemplate {
  const surveyVars = extras.surveyVars === undefined ? template.surveyVars : extras.surveyVars;
  return {
    id: template.id,
    project_id: template.projectId,
    inventory_id: template.inventoryId,
    repository_id: template.repositoryId,
    environment_id: template.environmentId,
    name: template.name,
    playbook: template.playbook,
    arguments: template.arguments,
    allow_override_args_in_task: template.allowOverrideArgsInTask,
    description: template.description,
    vaults: extras.vaults.map((vault) => ({
      id: vault.id,
      project_id: vault.projectId,
      template_id: vault.templateId,
      vault_key_id: vault.vaultKeyId,
      name: vault.name,
    })),
    type: template.type,
    start_version: template.startVersion,
    build_template_id: template.buildTemplateId,
    view_id: template.viewId,
    last_task: extras.lastTask,
    autorun: template.autorun,
    git_branch: template.gitBranch,
    survey_vars: surveyVars === null ? null : surveyVars.map(toWireSurveyVar),
    suppress_success_alerts: template.suppressSuccessAlerts,
    app: template.app,
    tasks: extras.tasks,
    allow_override_branch_in_task: template.allowOverrideBranchInTask,
    allow_parallel_tasks: template.allowParallelTasks,
    runner_tag: template.runnerTag,
    ssh_options: toWireSshOptions(template.sshOptions),
  };
}

function toWireSurveyVar(surveyVar: SurveyVar): WireSurveyVar {
  return {
    name: surveyVar.name,
    title: surveyVar.title,
    required: surveyVar.required,
    type: surveyVar.type,
    description: surveyVar.description,
    values: surveyVar.values === null ? null : surveyVar.values.map((v) => ({ name: v.name, value: v.value })),
  };
}

export type TemplateWireFields = Partial<
  Pick<
    TemplateEntity,
    | 'inventoryId'
    | 'repositoryId'
    | 'environmentId'
    | 'name'
    | 'playbook'
    | 'arguments'
    | 'allowOverrideArgsInTask'
    | 'allowOverrideBranchInTask'
    | 'allowParallelTasks'
    | 'description'
    | 'type'
    | 'startVersion'
    | 'buildTemplateId'
    | 'viewId'
    | 'autorun'
    | 'gitBranch'
    | 'surveyVars'
    | 'suppressSuccessAlerts'
    | 'app'
    | 'runnerTag'
    | 'sshOptions'
  >
>;

/**
 * Template fields of a create/update body. `id` and `project_id` come from the URL (SECURITY.md §2); `last_task` and
 * `tasks` are computed. `survey_vars: null` becomes `[]`. Vaults are read with `templateVaultsFromWire`.
 * `allow_override_branch_in_task`, `allow_parallel_tasks` and `runner_tag` are our entity's fields beyond upstream 2.10
 * (absent: unchanged; `runner_tag: null` or `""`: any runner).
 */
export function fromWireTemplate(body: unknown): TemplateWireFields {
  const b = wireBody(body);
  const surveyVars = readObjectArray(b, 'survey_vars');
  return compact({
    inventoryId: readNullableInt(b, 'inventory_id'),
    repositoryId: readInt(b, 'repository_id'),
    environmentId: readNullableInt(b, 'environment_id'),
    name: readString(b, 'name'),
    playbook: readString(b, 'playbook'),
    arguments: readNullableString(b, 'arguments'),
    allowOverrideArgsInTask: readBoolean(b, 'allow_override_args_in_task'),
    allowOverrideBranchInTask: readBoolean(b, 'allow_override_branch_in_task'),
    allowParallelTasks: readBoolean(b, 'allow_parallel_tasks'),
    description: readNullableString(b, 'description'),
    type: readEnum(b, 'type', TemplateType),
    startVersion: readNullableString(b, 'start_version'),
    buildTemplateId: readNullableInt(b, 'build_template_id'),
    viewId: readNullableInt(b, 'view_id'),
    autorun: readBoolean(b, 'autorun'),
    gitBranch: readNullableString(b, 'git_branch'),
    surveyVars: b.get('survey_vars') === null ? [] : surveyVars?.map(surveyVarFromWire),
    suppressSuccessAlerts: readBoolean(b, 'suppress_success_alerts'),
    app: readString(b, 'app'),
    runnerTag: readNullableString(b, 'runner_tag'),
    sshOptions: sshOptionsFromWire(b.get('ssh_options')),
  });
}

/** Missing fields are Go's zero values, as upstream stores whatever it decoded. */
function surveyVarFromWire(item: WireBody): SurveyVar {
  const values = readObjectArray(item, 'values');
  return {
    name: readString(item, 'name') ?? '',
    title: readString(item, 'title') ?? '',
    required: readBoolean(item, 'required') ?? false,
    type: readString(item, 'type') ?? '',
    description: readString(item, 'description') ?? '',
    values:
      values === undefined
        ? null
        : values.map((v) => ({ name: readString(v, 'name') ?? '', value: readString(v, 'value') ?? '' })),
  };
}

/** A vault of a template body: `id` 0 = new. `project_id` and `template_id` come from the URL. */
export interface TemplateVaultInput {
  id: number;
  vaultKeyId: number;
  name: string | null;
}

/**
 * The `vaults` of a template body (replaced wholesale on update). Items without an integer `vault_key_id` are left out.
 * Undefined when `vaults` is not an array.
 */
export function templateVaultsFromWire(body: unknown): TemplateVaultInput[] | undefined {
  const items = readObjectArray(wireBody(body), 'vaults');
  if (items === undefined) return undefined;
  const vaults: TemplateVaultInput[] = [];
  for (const item of items) {
    const vaultKeyId = readInt(item, 'vault_key_id');
    if (vaultKeyId === undefined) continue;
    vaults.push({ id: readInt(item, 'id') ?? 0, vaultKeyId, name: readNullableString(item, 'name') ?? null });
  }
  return vaults;
}
