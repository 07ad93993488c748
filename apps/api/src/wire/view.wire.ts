import type { WireView } from '@semaphore/models';
import type { ViewEntity } from '@semaphore/persistence';
import { compact, readInt, readString, wireBody } from './input.wire';

export function toWireView(view: ViewEntity): WireView {
  return { id: view.id, project_id: view.projectId, title: view.title, position: view.position };
}

export type ViewWireFields = Partial<Pick<ViewEntity, 'title' | 'position'>>;

/** `id` and `project_id` come from the URL (SECURITY.md §2). */
export function fromWireView(body: unknown): ViewWireFields {
  const b = wireBody(body);
  return compact({ title: readString(b, 'title'), position: readInt(b, 'position') });
}
