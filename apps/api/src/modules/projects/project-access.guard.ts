import { type CanActivate, type ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { Repository } from 'typeorm';
import { type Permission, ROLE_PERMISSIONS } from '@semaphore/models';
import { ProjectEntity, ProjectMemberEntity } from '@semaphore/persistence';
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
    @InjectRepository(ProjectMemberEntity) private readonly members: Repository<ProjectMemberEntity>,
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
    // Both at once: a membership row without its project cannot exist (foreign key), so a stray one never counts.
    const [project, member] = await Promise.all([
      this.projects.findOneBy({ id: projectId }),
      this.members.findOneBy({ projectId, userId: ctx.user.id }),
    ]);
    if (!project || (!member && !ctx.user.admin)) throw new NotFoundException({ error: 'Project not found' });
    ctx.project = project;
    ctx.projectRole = member?.role ?? null;

    const required = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined || READ_METHODS.has(req.method) || ctx.user.admin) return true;
    const granted = member ? (ROLE_PERMISSIONS[member.role] ?? 0) : 0;
    if ((granted & required) !== required) throw forbidden();
    return true;
  }
}
