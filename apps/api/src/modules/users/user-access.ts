import { QueryFailedError } from 'typeorm';
import type { UserEntity } from '@semaphore/persistence';
import { conflict, forbidden } from '../../common/api-errors';

/**
 * `/api/users/{id}` routes: an admin may act on anyone, other users only on themselves. Refused before the target is
 * even looked up, so a non-admin learns nothing about other ids (403 for all of them, existing or not).
 */
export function assertSelfOrAdmin(caller: UserEntity, targetId: number): void {
  if (!caller.admin && caller.id !== targetId) throw forbidden('only administrators can manage other users');
}

export const DUPLICATE_USER = 'a user with this username or email already exists';

/** A unique-index violation (two requests racing for the same username or e-mail) is a 409 like the pre-check. */
export function rethrowDuplicate(err: unknown): never {
  const code = err instanceof QueryFailedError ? (err.driverError as { code?: string } | undefined)?.code : undefined;
  if (code === '23505') throw conflict(DUPLICATE_USER);
  throw err;
}
