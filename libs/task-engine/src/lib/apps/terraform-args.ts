import { join } from 'node:path';
import { AppId } from '@semaphore/models';
import { assertRelativePath, UnsafeArgumentError } from './arg-safety';

/** The binary of a terraform-like app. */
export type TerraformBinary = 'terraform' | 'tofu';

/** terraform and tofu run the plan / confirm / apply flow; every other app is one process. */
export function isTerraformApp(app: string): boolean {
  return app === AppId.Terraform || app === AppId.Tofu;
}

export function terraformBinary(app: string): TerraformBinary {
  if (app === AppId.Terraform) return 'terraform';
  if (app === AppId.Tofu) return 'tofu';
  throw new UnsafeArgumentError('app', `${app} is not terraform or tofu`);
}

/**
 * The directory terraform runs in: the repository, or the template's `playbook` as a sub-directory of it (upstream
 * semantics). The sub-directory must stay inside the repository.
 */
export function terraformWorkingDir(repoDir: string, subDir: string): string {
  if (subDir === '' || subDir === '.' || subDir === './') return repoDir;
  return join(repoDir, assertRelativePath('playbook (terraform sub-directory)', subDir));
}

// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f]/;

/**
 * The workspace to select: the inventory text of a `terraform-workspace` / `tofu-workspace` inventory, `default`
 * when there is none (upstream). Same rules as the inventories API: it is an argument of `workspace select`.
 */
export function terraformWorkspaceName(inventoryText: string | null | undefined): string {
  const name = inventoryText || 'default';
  const field = 'inventory (a workspace name)';
  if (name.length > 255) throw new UnsafeArgumentError(field, 'must be at most 255 characters');
  if (name.startsWith('-')) throw new UnsafeArgumentError(field, 'must not start with "-"');
  if (SPACE_OR_CONTROL.test(name) || name.includes('/')) {
    throw new UnsafeArgumentError(field, 'must not contain spaces, "/" or control characters');
  }
  return name;
}

/**
 * The variables terraform gets: every extra variable except `semaphore_vars` (upstream). They go into a 0600
 * `*.tfvars.json` file, so values keep their JSON types and never reach a command line.
 */
export function terraformVariables(extraVars: Record<string, unknown>): Record<string, unknown> {
  const { semaphore_vars: _taskDetails, ...vars } = extraVars;
  return vars;
}

export function terraformInitArgs(): string[] {
  return ['init', '-input=false'];
}

export function terraformWorkspaceSelectArgs(workspace: string): string[] {
  return ['workspace', 'select', '-or-create=true', terraformWorkspaceName(workspace)];
}

/**
 * `plan` into a saved plan file. `-detailed-exitcode`: 0 = no changes, 1 = error, 2 = changes; the outcome comes from
 * the exit status, never from the log text.
 */
export function terraformPlanArgs(planFile: string, varFile: string): string[] {
  return [
    'plan',
    '-input=false',
    '-detailed-exitcode',
    `-out=${enginePath('plan file', planFile)}`,
    `-var-file=${enginePath('variables file', varFile)}`,
  ];
}

/**
 * Applies exactly the saved plan the user saw (not a new plan, as upstream's `apply -auto-approve` does). A saved plan
 * carries its variables and needs no approval prompt.
 */
export function terraformApplyArgs(planFile: string): string[] {
  return ['apply', '-input=false', enginePath('plan file', planFile)];
}

/** The plan's result by its `-detailed-exitcode` exit status. */
export type PlanOutcome = 'no-changes' | 'changes' | 'failed';

export function planOutcome(exitCode: number | null): PlanOutcome {
  if (exitCode === 0) return 'no-changes';
  if (exitCode === 2) return 'changes';
  return 'failed';
}

/** Task params of terraform/tofu tasks (`params` of `POST P/tasks`); only a literal `true` counts. */
export interface TerraformTaskParams {
  /** Plan only: the task succeeds after the plan, nothing is applied. */
  plan: boolean;
  /** Apply the plan without waiting for a confirmation. */
  autoApprove: boolean;
}

export function terraformTaskParams(params: Record<string, unknown>): TerraformTaskParams {
  return { plan: params.plan === true, autoApprove: params.auto_approve === true };
}

/** What follows a successful plan. */
export type AfterPlan = 'success' | 'apply' | 'confirm';

/**
 * Newest upstream's order (`TerraformApp.Run`): no changes or plan-only -> success; auto-approve -> apply at once;
 * otherwise wait for a user's confirmation.
 */
export function afterPlan(outcome: Exclude<PlanOutcome, 'failed'>, params: TerraformTaskParams): AfterPlan {
  if (outcome === 'no-changes' || params.plan) return 'success';
  return params.autoApprove ? 'apply' : 'confirm';
}

/** Files the engine writes in the task directory: absolute, clean. */
function enginePath(field: string, value: string): string {
  if (!value.startsWith('/') || /[\0\r\n]/.test(value) || value.split('/').includes('..')) {
    throw new UnsafeArgumentError(field, 'is not a clean absolute path');
  }
  return value;
}
