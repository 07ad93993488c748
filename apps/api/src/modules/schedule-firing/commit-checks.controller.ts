import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { CommitCheckSpec } from '@semaphore/models';
import type { RunnerEntity } from '@semaphore/persistence';
import { Public } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { CommitCheckSpecService } from '../runners/commit-check-spec.service';
import { CurrentRunner, RunnerAuthGuard } from '../runners/runner-auth.guard';
import { CommitReportDto } from './dto/commit-report.dto';
import { CommitScheduleService, type CommitReportResult } from './commit-schedule.service';

/** The runner's side of commit checks (`X-Runner-Token`): fetch what to check, report what it found. */
@Controller('internal/runners/commit-checks')
@Public()
@UseGuards(RunnerAuthGuard)
export class CommitChecksController {
  constructor(
    private readonly specs: CommitCheckSpecService,
    private readonly commits: CommitScheduleService,
  ) {}

  /** 200 CommitCheckSpec (the repository key decrypted, for this runner only); 404 for another project's schedule. */
  @Get(':schedule_id')
  spec(
    @CurrentRunner() runner: RunnerEntity,
    @Param('schedule_id', IdPipe) scheduleId: number,
  ): Promise<CommitCheckSpec> {
    return this.specs.spec(scheduleId, runner);
  }

  /** 200 CommitReportResult; 404 for a schedule the runner could not have been given (nothing is decrypted). */
  @Post(':schedule_id')
  @HttpCode(200)
  async report(
    @CurrentRunner() runner: RunnerEntity,
    @Param('schedule_id', IdPipe) scheduleId: number,
    @Body() body: CommitReportDto,
  ): Promise<CommitReportResult> {
    await this.specs.assertServes(runner, scheduleId);
    return this.commits.report(scheduleId, body);
  }
}
