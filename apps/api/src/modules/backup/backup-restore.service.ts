import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { planRestore } from './backup-references';
import { type RestoredProject, BackupRestoreRepository } from './backup-restore.repository';
import { parseBackupShape } from './backup-shape';
import type { RestorePlan } from './restore-plan';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION;
}

/**
 * `POST /api/projects/restore` and `semaphore project import`: the whole backup is checked first (shape, names,
 * references; BackupValidationError names the path), then written in one transaction. Who may restore is the
 * caller's business (the right to create a project).
 */
@Injectable()
export class BackupRestoreService {
  constructor(private readonly repo: BackupRestoreRepository) {}

  /** The checked plan of a parsed backup; throws BackupValidationError. Writes nothing. */
  plan(body: unknown): RestorePlan {
    return planRestore(parseBackupShape(body));
  }

  /**
   * Creates the project with `ownerId` as its owner. Retried once when another restore took one of the same
   * webhook aliases in the same instant (the only unique index a restore can hit; taken aliases are replaced).
   */
  async write(plan: RestorePlan, ownerId: number): Promise<RestoredProject> {
    try {
      return await this.repo.restore(plan, ownerId);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.repo.restore(plan, ownerId);
    }
  }

  async restore(body: unknown, ownerId: number): Promise<RestoredProject> {
    return this.write(this.plan(body), ownerId);
  }
}
