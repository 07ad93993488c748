import type { Request } from 'express';
import type { ProjectRole } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';

export type AuthMethod = 'cookie' | 'token';

/** What the guards attach to a request. */
export interface RequestContext {
  user?: UserEntity;
  authMethod?: AuthMethod;
  sessionId?: number;
  /** Set on routes under /api/project/{project_id}. */
  project?: ProjectEntity;
  /** The caller's role in `project`; null for an admin who is not a member. */
  projectRole?: ProjectRole | null;
}

export type ApiRequest = Request & { ctx: RequestContext };

export function contextOf(req: Request): RequestContext {
  const r = req as ApiRequest;
  r.ctx ??= {};
  return r.ctx;
}
