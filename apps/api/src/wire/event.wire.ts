import type { WireEvent } from '@semaphore/models';
import type { EventEntity } from '@semaphore/persistence';
import { toWireTime } from './time.wire';

export interface EventWireExtras {
  /** Name of the object (for tasks: the playbook); '' when unknown. */
  objectName: string;
  projectName: string | null;
  username: string | null;
}

/** An audit log entry; its `id` is not serialized. */
export function toWireEvent(event: EventEntity, extras: EventWireExtras): WireEvent {
  return {
    user_id: event.userId,
    project_id: event.projectId,
    integration_id: event.integrationId,
    object_id: event.objectId,
    object_type: event.objectType,
    description: event.description,
    created: toWireTime(event.created),
    object_name: extras.objectName,
    project_name: extras.projectName,
    username: extras.username,
  };
}
