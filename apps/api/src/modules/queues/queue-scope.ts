import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ProjectRole } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { contextOf } from '../../common/request-context';

/**
 * Whose queues a request manages: every project's (`/api/queues...`, administrators) or one project's
 * (`/api/project/{id}/queues...`, whose tasks alone it may see or change).
 */
export interface QueueScope {
  /** Null on the administrators' routes. */
  project: ProjectEntity | null;
  /** The caller's role in `project` (null for an administrator who is not a member). */
  role: ProjectRole | null;
}

export function scopeProjectId(scope: QueueScope): number | null {
  return scope.project?.id ?? null;
}

/** The QueueScope of the request (the project guard has set the project on project routes). */
export const CurrentQueueScope = createParamDecorator((_: unknown, ctx: ExecutionContext): QueueScope => {
  const context = contextOf(ctx.switchToHttp().getRequest<Request>());
  return { project: context.project ?? null, role: context.projectRole ?? null };
});
