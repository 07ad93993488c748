import { Controller, Get, Param, Query } from '@nestjs/common';
import type { WireTaskWithTpl } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { CurrentProject } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { QueryIntPipe } from './query-int.pipe';
import { LAST_TASKS_MAX, TasksService } from './tasks.service';

const MAX_DB_ID = 2_147_483_647;

/** `P/templates/{template_id}/tasks`: the task history of one template (404 for another project's template). */
@Controller('project/:project_id/templates/:template_id/tasks')
export class TemplateTasksController {
  constructor(private readonly tasks: TasksService) {}

  /** TaskWithTpl[], newest first, at most 1000 (upstream's `?status=` filter is ignored there too). */
  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Param('template_id', IdPipe) templateId: number,
  ): Promise<WireTaskWithTpl[]> {
    return this.tasks.listForTemplate(project, templateId);
  }

  /** `?limit=` 1..200 (default 200) and `?before=<task id>`, as `P/tasks/last`. */
  @Get('last')
  last(
    @CurrentProject() project: ProjectEntity,
    @Param('template_id', IdPipe) templateId: number,
    @Query('limit', new QueryIntPipe(1, LAST_TASKS_MAX)) limit: number | undefined,
    @Query('before', new QueryIntPipe(1, MAX_DB_ID)) before: number | undefined,
  ): Promise<WireTaskWithTpl[]> {
    return this.tasks.listForTemplate(project, templateId, { limit, before });
  }
}
