import { type CanActivate, type ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { Repository } from 'typeorm';
import { type Permission, type ProjectRole, ROLE_PERMISSIONS } from '@semaphore/models';
import { hydrateJsonRow, ProjectEntity } from '@semaphore/persistence';
import { badRequest, forbidden } from '../../common/api-errors';
import { REQUIRED_PERMISSION } from '../../common/decorators';
import { contextOf } from '../../common/request-context';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Every route under /api/project/{project_id}: the project must exist and the caller must be a member or an admin
 * (404 otherwise, so non-members cannot even learn that it exists). Writes (non-GET/HEAD) need the route's
 * @RequirePermission bit in the caller's role (403); admins pass everything.
 */
@Injectable()
export class ProjectAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const param: unknown = req.params?.project_id;
    if (param === undefined) return true;
    const raw = String(param);
    const ctx = contextOf(req);
    if (!ctx.user) return true; // public route: nothing to scope
    if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) {
      throw badRequest('Invalid project ID');
    }
    const projectId = Number(raw);
    const { project, role } = await this.projectAndRole(projectId, ctx.user.id);
    if (!project || (role === null && !ctx.user.admin)) throw new NotFoundException({ error: 'Project not found' });
    ctx.project = project;
    ctx.projectRole = role;

    const required = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined || READ_METHODS.has(req.method) || ctx.user.admin) return true;
    const granted = role !== null ? (ROLE_PERMISSIONS[role] ?? 0) : 0;
    if ((granted & required) !== required) throw forbidden();
    return true;
  }

  /** The project and the user's role in it (null: not a member), in one query: this runs on every project route. */
  private async projectAndRole(
    projectId: number,
    userId: number,
  ): Promise<{ project: ProjectEntity | null; role: ProjectRole | null }> {
    const rows = (await this.projects.query(
      `SELECT to_jsonb(p) AS project_row, m.role FROM project p
         LEFT JOIN project__user m ON m.project_id = p.id AND m.user_id = $2
        WHERE p.id = $1
        LIMIT 1`,
      [projectId, userId],
    )) as Array<{ project_row: Record<string, unknown>; role: ProjectRole | null }>;
    if (!rows.length) return { project: null, role: null };
    return { project: hydrateJsonRow(this.projects.manager, ProjectEntity, rows[0].project_row), role: rows[0].role };
  }
}
