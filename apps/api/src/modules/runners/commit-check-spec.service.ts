import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CommitCheckSpec } from '@semaphore/models';
import { ScheduleEntity, type RunnerEntity } from '@semaphore/persistence';
import { conflict, notFound } from '../../common/api-errors';
import { SecretCipher } from '../../crypto';
import { commitCheckRepository, JobSpecError } from './job-spec.builder';
import { TaskClaimRepository } from './task-claim.repository';

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
    if (!schedule?.repository || (runner.projectId !== null && runner.projectId !== schedule.projectId)) {
      throw notFound('Schedule');
    }
    try {
      const knownHosts = await this.claims.knownHosts(schedule.projectId);
      return { scheduleId, repository: commitCheckRepository(schedule.repository, knownHosts, this.cipher) };
    } catch (err) {
      if (err instanceof JobSpecError) throw conflict(`Schedule cannot be checked: ${err.message}`);
      throw err;
    }
  }
}
