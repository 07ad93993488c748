import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Permission, type WireTemplate, type WireView } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { toWireView } from '../../wire';
import { ViewDto } from './dto/view.dto';
import { ViewsService } from './views.service';

@Controller('project/:project_id/views')
@RequirePermission(Permission.ManageProjectResources)
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  /** By position. */
  @Get()
  list(@CurrentProject() project: ProjectEntity): Promise<WireView[]> {
    return this.views.list(project.id);
  }

  @Post()
  @HttpCode(201)
  create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: ViewDto,
  ): Promise<WireView> {
    return this.views.create(project, user, body);
  }

  /** Body `{"<viewId>": <position>, ...}` (free keys, so validated by hand: `unknown` skips the DTO pipe). */
  @Post('positions')
  @HttpCode(204)
  async positions(@CurrentProject() project: ProjectEntity, @Body() body: unknown): Promise<void> {
    await this.views.setPositions(project.id, body);
  }

  @Get(':view_id')
  async get(@CurrentProject() project: ProjectEntity, @Param('view_id', IdPipe) viewId: number): Promise<WireView> {
    return toWireView(await this.views.get(project.id, viewId));
  }

  @Get(':view_id/templates')
  templates(
    @CurrentProject() project: ProjectEntity,
    @Param('view_id', IdPipe) viewId: number,
  ): Promise<WireTemplate[]> {
    return this.views.templatesOf(project.id, viewId);
  }

  @Put(':view_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('view_id', IdPipe) viewId: number,
    @Body() body: ViewDto,
  ): Promise<void> {
    await this.views.update(project, user, viewId, body);
  }

  @Delete(':view_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('view_id', IdPipe) viewId: number,
  ): Promise<void> {
    await this.views.delete(project, user, viewId);
  }
}
