/** Project roles and their permission bitmask (reference §2). */
export enum ProjectRole {
  Owner = 'owner',
  Manager = 'manager',
  TaskRunner = 'task_runner',
  Guest = 'guest',
}

export enum Permission {
  RunProjectTasks = 1,
  UpdateProject = 2,
  ManageProjectResources = 4,
  ManageProjectUsers = 8,
}

export const ROLE_PERMISSIONS: Readonly<Record<ProjectRole, number>> = {
  [ProjectRole.Owner]:
    Permission.RunProjectTasks |
    Permission.UpdateProject |
    Permission.ManageProjectResources |
    Permission.ManageProjectUsers,
  [ProjectRole.Manager]: Permission.RunProjectTasks | Permission.ManageProjectResources,
  [ProjectRole.TaskRunner]: Permission.RunProjectTasks,
  [ProjectRole.Guest]: 0,
};

export function isProjectRole(value: unknown): value is ProjectRole {
  return typeof value === 'string' && value in ROLE_PERMISSIONS;
}

export function roleCan(role: ProjectRole, permission: Permission): boolean {
  return (ROLE_PERMISSIONS[role] & permission) === permission;
}
