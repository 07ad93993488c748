import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Permission, ProjectRole } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { contextOf } from './request-context';

export const PUBLIC_ROUTE = 'semaphore:public';
export const ADMIN_ONLY = 'semaphore:admin-only';
export const REQUIRED_PERMISSION = 'semaphore:permission';
export const UNVERIFIED_SESSION_ALLOWED = 'semaphore:unverified-ok';

/** No authentication: ping, login, logout, webhook receiver, runner registration. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** System administrators only; others get 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** Non-GET/HEAD requests under /api/project/{id} need this role bit (admins always pass). */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

/** Reachable with a session that still waits for its second factor (TOTP verify and recovery). */
export const AllowUnverifiedSession = () => SetMetadata(UNVERIFIED_SESSION_ALLOWED, true);

function request(ctx: ExecutionContext): Request {
  return ctx.switchToHttp().getRequest<Request>();
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): UserEntity => {
  const user = contextOf(request(ctx)).user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});

export const CurrentProject = createParamDecorator((_: unknown, ctx: ExecutionContext): ProjectEntity => {
  const project = contextOf(request(ctx)).project;
  if (!project) throw new Error('CurrentProject used on a route without :project_id');
  return project;
});

export const CurrentProjectRole = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): ProjectRole | null => contextOf(request(ctx)).projectRole ?? null,
);
