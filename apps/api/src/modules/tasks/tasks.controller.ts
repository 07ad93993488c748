import { Controller, Delete, Get, HttpCode, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { WireTask, WireTaskOutput, WireTaskWithTpl } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { forbidden } from '../../common/api-errors';
import { CurrentProject, CurrentUser } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { QueryIntPipe } from './query-int.pipe';
import { LAST_TASKS_MAX, TasksService } from './tasks.service';

const MAX_DB_ID = 2_147_483_647;

/** `P/tasks`: task history, single tasks and their output. Reads are open to every member. */
@Controller('project/:project_id/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** TaskWithTpl[], newest first, at most 1000. */
  @Get()
  list(@CurrentProject() project: ProjectEntity): Promise<WireTaskWithTpl[]> {
    return this.tasks.list(project);
  }

  /** TaskWithTpl[], newest first: `?limit=` 1..200 (default 200), `?before=<task id>` for the next (older) page. */
  @Get('last')
  last(
    @CurrentProject() project: ProjectEntity,
    @Query('limit', new QueryIntPipe(1, LAST_TASKS_MAX)) limit: number | undefined,
    @Query('before', new QueryIntPipe(1, MAX_DB_ID)) before: number | undefined,
  ): Promise<WireTaskWithTpl[]> {
    return this.tasks.last(project, { limit, before });
  }

  @Get(':task_id')
  get(@CurrentProject() project: ProjectEntity, @Param('task_id', IdPipe) id: number): Promise<WireTask> {
    return this.tasks.get(project, id);
  }

  /**
   * TaskOutput[] in log order (by `seq`). `?after_seq=N` returns only the lines after sequence number N, so a client
   * whose WebSocket reconnects can fetch exactly what it missed (an extension; upstream always returns everything).
   */
  @Get(':task_id/output')
  output(
    @CurrentProject() project: ProjectEntity,
    @Param('task_id', IdPipe) id: number,
    @Query('after_seq', new QueryIntPipe(0, MAX_DB_ID)) afterSeq: number | undefined,
  ): Promise<WireTaskOutput[]> {
    return this.tasks.output(project, id, afterSeq);
  }

  /**
   * The output as `text/plain`, lines joined with `\n`; `nosniff` so that no browser renders it as HTML. The headers
   * are set only on success, so that errors still leave as JSON.
   */
  @Get(':task_id/raw_output')
  async rawOutput(
    @CurrentProject() project: ProjectEntity,
    @Param('task_id', IdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const text = await this.tasks.rawOutput(project, id);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return text;
  }

  /**
   * Administrators only (upstream: 401 for others; here 403, after the membership check so that non-members still get
   * 404). A task that has not finished gives 400.
   */
  @Delete(':task_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('task_id', IdPipe) id: number,
  ): Promise<void> {
    if (!user.admin) throw forbidden('only administrators can delete tasks');
    await this.tasks.delete(project, id);
  }
}
