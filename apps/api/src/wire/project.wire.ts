import type { ProjectRole, WireProject, WireProjectUser } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { compact, readBoolean, readInt, readNullableString, readString, wireBody } from './input.wire';
import { toWireTime } from './time.wire';

export function toWireProject(project: ProjectEntity): WireProject {
  return {
    id: project.id,
    name: project.name,
    created: toWireTime(project.created),
    alert: project.alert,
    alert_chat: project.alertChat,
    max_parallel_tasks: project.maxParallelTasks,
    type: project.type,
  };
}

/** A `GET P/users` item: the member's user id, username and name, and the project role. */
export function toWireProjectUser(
  user: Pick<UserEntity, 'id' | 'username' | 'name'>,
  role: ProjectRole,
): WireProjectUser {
  return { id: user.id, username: user.username, name: user.name, role };
}

export type ProjectWireFields = Partial<
  Pick<ProjectEntity, 'name' | 'alert' | 'alertChat' | 'maxParallelTasks' | 'type'>
>;

/** Project fields of a create/update body (`id` and `created` are server-owned; the `demo` flag is read separately). */
export function fromWireProject(body: unknown): ProjectWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    alert: readBoolean(b, 'alert'),
    alertChat: readNullableString(b, 'alert_chat'),
    maxParallelTasks: readInt(b, 'max_parallel_tasks'),
    type: readString(b, 'type'),
  });
}

/** `POST /api/projects` `demo:true` asks for the demo resources. */
export function demoFlagFromWireProject(body: unknown): boolean {
  return readBoolean(wireBody(body), 'demo') ?? false;
}
