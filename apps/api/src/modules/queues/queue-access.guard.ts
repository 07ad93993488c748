import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Permission, roleCan } from '@semaphore/models';
import { forbidden } from '../../common/api-errors';
import { contextOf } from '../../common/request-context';

/**
 * Queue management, reads included: `/api/queues...` is for administrators; `/api/project/{id}/queues...` for the
 * project's owners and managers (ManageProjectResources) and administrators. Runs after the global guards, so the
 * caller is authenticated and, on project routes, a member (non-members already got 404).
 */
@Injectable()
export class QueueAccessGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const ctx = contextOf(req);
    if (ctx.user?.admin) return true;
    if (req.params?.project_id === undefined) throw forbidden('administrators only');
    if (ctx.project && ctx.projectRole && roleCan(ctx.projectRole, Permission.ManageProjectResources)) return true;
    throw forbidden("only the project's owners and managers can manage its queues");
  }
}
