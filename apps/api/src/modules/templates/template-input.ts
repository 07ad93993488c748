import { AppId, TemplateType } from '@semaphore/models';
import type { SurveyVar, TemplateEntity } from '@semaphore/persistence';
import { badRequest } from '../../common/api-errors';
import { fromWireTemplate, templateVaultsFromWire } from '../../wire';
import type { TemplateDto } from './dto/template.dto';
import { isSshApp, sshOptionsProblem } from './ssh-options-validation';
import { argumentsProblem, gitBranchProblem, relativePathProblem } from './template-validation';
import type { TemplateRow, VaultRow } from './templates.repository';

export function isTerraformApp(app: string): boolean {
  return app === AppId.Terraform || app === AppId.Tofu;
}

/** A vault label goes into `--vault-id <name>@...`: keep it to a plain word (no `@`, no leading `-`). */
export const VAULT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The template row of a validated create/update body. PUT is a full replacement as upstream: upstream fields that are
 * absent take Go's zero values. Our extra settings (not on upstream's wire) keep their current values when absent.
 * Throws a 400 naming the field for anything that does not depend on other rows.
 */
export function templateRowFromDto(dto: TemplateDto, existing: TemplateEntity | null): TemplateRow {
  const w = fromWireTemplate(dto);
  const row: TemplateRow = {
    projectId: existing?.projectId ?? 0,
    inventoryId: w.inventoryId ?? null,
    repositoryId: w.repositoryId ?? 0,
    environmentId: w.environmentId ?? null,
    name: w.name ?? '',
    playbook: w.playbook ?? '',
    arguments: w.arguments === '' ? null : (w.arguments ?? null),
    allowOverrideArgsInTask: w.allowOverrideArgsInTask ?? false,
    allowOverrideBranchInTask: w.allowOverrideBranchInTask ?? existing?.allowOverrideBranchInTask ?? false,
    allowOverrideInventoryInTask: existing?.allowOverrideInventoryInTask ?? false,
    allowParallelTasks: w.allowParallelTasks ?? existing?.allowParallelTasks ?? false,
    description: w.description ?? null,
    type: w.type ?? TemplateType.Default,
    startVersion: w.startVersion ?? null,
    buildTemplateId: w.buildTemplateId ?? null,
    viewId: w.viewId ?? null,
    autorun: w.autorun ?? false,
    gitBranch: w.gitBranch === '' ? null : (w.gitBranch ?? null),
    surveyVars: w.surveyVars ?? [],
    suppressSuccessAlerts: w.suppressSuccessAlerts ?? false,
    app: w.app ?? AppId.Ansible,
    runnerTag: w.runnerTag === undefined ? (existing?.runnerTag ?? null) : w.runnerTag || null,
    taskParams: existing?.taskParams ?? null,
    sshOptions:
      w.sshOptions !== undefined ? w.sshOptions : isSshApp(w.app ?? '') ? (existing?.sshOptions ?? null) : null,
  };
  checkRow(row);
  return row;
}

function checkRow(row: TemplateRow): void {
  if (row.playbook === '' && !isTerraformApp(row.app) && !isSshApp(row.app)) throw badRequest('playbook is required');
  const pathProblem = row.playbook === '' ? null : relativePathProblem(row.playbook);
  if (pathProblem) throw badRequest(`playbook ${pathProblem}`);
  if ((row.app === AppId.Ansible || isSshApp(row.app)) && row.inventoryId === null) {
    throw badRequest(`inventory_id is required for ${row.app} templates`);
  }
  const sshProblem = sshOptionsProblem(row.app, row.sshOptions);
  if (sshProblem) throw badRequest(sshProblem);
  const argsProblem = row.arguments === null ? null : argumentsProblem(row.arguments);
  if (argsProblem) throw badRequest(`arguments ${argsProblem}`);
  const branchProblem = row.gitBranch === null ? null : gitBranchProblem(row.gitBranch);
  if (branchProblem) throw badRequest(`git_branch ${branchProblem}`);
  if (row.type === TemplateType.Deploy && row.buildTemplateId === null) {
    throw badRequest('build_template_id is required for deploy templates');
  }
  checkSurveyVars(row.surveyVars);
}

function checkSurveyVars(vars: SurveyVar[]): void {
  const names = new Set<string>();
  vars.forEach((v, i) => {
    if (names.has(v.name)) throw badRequest(`survey_vars.${i}.name "${v.name}" is used twice`);
    names.add(v.name);
    if (v.type === 'enum' && !v.values?.length) throw badRequest(`survey_vars.${i}.values must list the enum values`);
  });
}

/** The vaults of the body (`[]` when absent or null): ids 0 are new ones. Duplicate ids and odd names are refused. */
export function vaultRowsFromDto(dto: TemplateDto): VaultRow[] {
  const vaults = templateVaultsFromWire(dto) ?? [];
  const ids = new Set<number>();
  vaults.forEach((v, i) => {
    if (v.id !== 0 && ids.has(v.id)) throw badRequest(`vaults.${i}.id ${v.id} is listed twice`);
    ids.add(v.id);
    if (v.name !== null && v.name !== '' && !VAULT_NAME.test(v.name)) {
      throw badRequest(`vaults.${i}.name may only contain letters, digits, "_", "." and "-" (not first)`);
    }
  });
  return vaults.map((v) => ({ id: v.id, vaultKeyId: v.vaultKeyId, name: v.name === '' ? null : v.name }));
}
