import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CommitCheckSpec } from '@semaphore/models';
import { ScheduleEntity, type RunnerEntity } from '@semaphore/persistence';
import { conflict, notFound } from '../../common/api-errors';
import { SecretCipher } from '../../crypto';
import { commitCheckRepository, JobSpecError } from './job-spec.builder';
import { TaskClaimRepository } from './task-claim.repository';

/** The scope of a commit check: a schedule that has a repository, in a project the runner serves. */
function serves(runner: RunnerEntity, schedule: ScheduleEntity | null): schedule is ScheduleEntity {
  if (!schedule || schedule.repositoryId === null) return false;
  return runner.projectId === null || runner.projectId === schedule.projectId;
}

/**
 * What a runner gets to check a "run on a new commit" schedule: the repository with its key decrypted and the
 * project's known hosts. Only for a schedule that has a repository, in a project the runner serves; never logged.
 */
@Injectable()
export class CommitCheckSpecService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly claims: TaskClaimRepository,
    private readonly cipher: SecretCipher,
  ) {}

  async spec(scheduleId: number, runner: RunnerEntity): Promise<CommitCheckSpec> {
    const schedule = await this.dataSource.getRepository(ScheduleEntity).findOne({
      where: { id: scheduleId },
      relations: { repository: { sshKey: true } },
    });
    if (!serves(runner, schedule) || !schedule.repository) throw notFound('Schedule');
    try {
      const knownHosts = await this.claims.knownHosts(schedule.projectId);
      return { scheduleId, repository: commitCheckRepository(schedule.repository, knownHosts, this.cipher) };
    } catch (err) {
      if (err instanceof JobSpecError) throw conflict(`Schedule cannot be checked: ${err.message}`);
      throw err;
    }
  }

  /**
   * The same scope as `spec`, for the runner's report: one narrow read, no repository, key or known hosts loaded and
   * nothing decrypted. 404 when the schedule is gone, has no repository, or is in a project the runner does not serve.
   */
  async assertServes(runner: RunnerEntity, scheduleId: number): Promise<void> {
    const schedule = await this.dataSource.getRepository(ScheduleEntity).findOne({
      where: { id: scheduleId },
      select: { id: true, projectId: true, repositoryId: true },
    });
    if (!serves(runner, schedule)) throw notFound('Schedule');
  }
}
