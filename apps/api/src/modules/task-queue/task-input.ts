import { TemplateType } from '@semaphore/models';
import type { TemplateEntity } from '@semaphore/persistence';
import { dangerousExtraVarKeys } from '@semaphore/models';
import type { CreateTaskDto } from './dto/create-task.dto';

export type TemplateOverrides = Pick<
  TemplateEntity,
  'allowOverrideArgsInTask' | 'allowOverrideBranchInTask' | 'allowOverrideInventoryInTask' | 'inventoryId' | 'type'
>;

/** A JSON object text that already passed DTO validation ('' / absent = empty). */
export function parseJsonObjectText(text: string | null | undefined): Record<string, unknown> {
  if (text === undefined || text === null || text === '') return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

function nonEmptyArgs(text: string | null | undefined): boolean {
  if (text === undefined || text === null || text === '') return false;
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) && value.length > 0;
}

/**
 * What the template does not let this caller override (reference §1.4, SECURITY.md §5); null when everything is
 * allowed. `canManageResources`: the caller has ManageProjectResources (owner, manager) or is an admin.
 * - `arguments` (a non-empty array) needs `allow_override_args_in_task`;
 * - `git_branch` needs `allow_override_branch_in_task`;
 * - `inventory_id` other than the template's needs `allow_override_inventory_in_task`;
 * - `build_task_id` is for deploy templates only;
 * - extra vars that switch the connection, interpreter, executables or SSH options (`dangerousExtraVarKeys`) in
 *   `environment` or `secret` need ManageProjectResources, or a template that allows overriding arguments (the
 *   template's "overrides allowed" switch: whoever may pass raw ansible-playbook arguments could do the same anyway).
 */
export function taskOverrideProblem(
  body: CreateTaskDto,
  template: TemplateOverrides,
  canManageResources: boolean,
): string | null {
  if (nonEmptyArgs(body.arguments) && !template.allowOverrideArgsInTask) {
    return 'arguments are not allowed: the template does not allow overriding arguments (allow_override_args_in_task)';
  }
  if (body.git_branch && !template.allowOverrideBranchInTask) {
    return 'git_branch is not allowed: the template does not allow overriding the branch (allow_override_branch_in_task)';
  }
  const inventoryId = body.inventory_id ?? null;
  if (inventoryId !== null && inventoryId !== template.inventoryId && !template.allowOverrideInventoryInTask) {
    return 'inventory_id is not allowed: the template does not allow overriding the inventory (allow_override_inventory_in_task)';
  }
  if ((body.build_task_id ?? null) !== null && template.type !== TemplateType.Deploy) {
    return 'build_task_id is only accepted for deploy templates';
  }
  if (canManageResources || template.allowOverrideArgsInTask) return null;
  for (const field of ['environment', 'secret'] as const) {
    const keys = dangerousExtraVarKeys(parseJsonObjectText(body[field]));
    if (keys.length > 0) {
      return `${field} must not set ${keys.join(', ')}: only managers may set connection, interpreter or executable variables unless the template allows overrides`;
    }
  }
  return null;
}

/** The `arguments` to store: the text as sent when the template allows them, else null (an empty list is dropped). */
export function storedArguments(body: CreateTaskDto, template: TemplateOverrides): string | null {
  if (body.arguments === undefined || body.arguments === null || body.arguments === '') return null;
  return template.allowOverrideArgsInTask ? body.arguments : null;
}
