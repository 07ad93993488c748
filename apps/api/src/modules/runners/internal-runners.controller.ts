import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { JobSpec } from '@semaphore/models';
import type { RunnerEntity } from '@semaphore/persistence';
import { Public } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { RegisterRunnerDto } from './dto/runner.dto';
import { CurrentRunner, RunnerAuthGuard } from './runner-auth.guard';
import { RunnersRepository } from './runners.repository';
import { RunnersService, type RegisteredRunner } from './runners.service';
import { TaskClaimService } from './task-claim.service';

/** What a runner learns about itself at start (our extension; upstream's GET /internal/runners is its poll). */
export interface RunnerSelf {
  id: number;
  name: string;
  project_id: number | null;
  tags: string[];
  max_parallel_tasks: number;
  active: boolean;
}

/**
 * `/api/internal/runners`: public for users; every route except registration authenticates the runner by its
 * `X-Runner-Token` header.
 */
@Controller('internal/runners')
@Public()
export class InternalRunnersController {
  constructor(
    private readonly runners: RunnersService,
    private readonly repo: RunnersRepository,
    private readonly claims: TaskClaimService,
  ) {}

  /** 200 `{"token": ..., "id": ...}` (`id` is our addition); 400 `{"error":"Invalid registration token"}`. */
  @Post()
  @HttpCode(200)
  register(@Body() body: RegisterRunnerDto): Promise<RegisteredRunner> {
    return this.runners.register(body);
  }

  @Get('me')
  @UseGuards(RunnerAuthGuard)
  self(@CurrentRunner() runner: RunnerEntity): RunnerSelf {
    return {
      id: runner.id,
      name: runner.name,
      project_id: runner.projectId,
      tags: runner.tags,
      max_parallel_tasks: runner.maxParallelTasks,
      active: runner.active,
    };
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(RunnerAuthGuard)
  async unregister(@CurrentRunner() runner: RunnerEntity): Promise<void> {
    await this.repo.delete(runner.id);
  }

  /** 200 JobSpec (secrets decrypted, for this runner only) or 409 `{"error": ...}` when the task is not claimable. */
  @Post('tasks/:task_id/claim')
  @HttpCode(200)
  @UseGuards(RunnerAuthGuard)
  claim(@CurrentRunner() runner: RunnerEntity, @Param('task_id', IdPipe) taskId: number): Promise<JobSpec> {
    return this.claims.claim(taskId, runner);
  }
}
