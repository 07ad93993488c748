import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectEntity, RunnerEntity } from '@semaphore/persistence';
import { CommitCheckSpecService } from './commit-check-spec.service';
import { InternalRunnersController } from './internal-runners.controller';
import { RunnerAuthGuard } from './runner-auth.guard';
import { RunnersController } from './runners.controller';
import { RunnersRepository } from './runners.repository';
import { RunnersService } from './runners.service';
import { TaskClaimRepository } from './task-claim.repository';
import { TaskClaimService } from './task-claim.service';

/**
 * Runners: admin management, registration, runner authentication, the claim endpoint, and the repository spec of
 * commit checks (for the schedule-firing module).
 */
@Module({
  imports: [TypeOrmModule.forFeature([RunnerEntity, ProjectEntity])],
  controllers: [RunnersController, InternalRunnersController],
  providers: [
    RunnersService,
    RunnersRepository,
    RunnerAuthGuard,
    TaskClaimRepository,
    TaskClaimService,
    CommitCheckSpecService,
  ],
  exports: [RunnersService, RunnersRepository, RunnerAuthGuard, CommitCheckSpecService],
})
export class RunnersModule {}
