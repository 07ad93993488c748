import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireTemplate } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { templateListOrder } from './dto/template-query.dto';
import { TemplateDto } from './dto/template.dto';
import { type TemplateRefs, TemplatesService } from './templates.service';

@Controller('project/:project_id/templates')
@RequirePermission(Permission.ManageProjectResources)
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  /** Complete objects (upstream's SQL list quirk of §10 #8 is not copied). `?sort=` name|playbook|inventory|environment|repository. */
  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Query('sort') sort: unknown,
    @Query('order') order: unknown,
  ): Promise<WireTemplate[]> {
    return this.templates.list(project.id, templateListOrder(sort, order));
  }

  @Post()
  @HttpCode(201)
  create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: TemplateDto,
  ): Promise<WireTemplate> {
    return this.templates.create(project, user, body);
  }

  @Get(':template_id')
  get(
    @CurrentProject() project: ProjectEntity,
    @Param('template_id', IdPipe) templateId: number,
  ): Promise<WireTemplate> {
    return this.templates.getWire(project.id, templateId);
  }

  @Get(':template_id/refs')
  refs(
    @CurrentProject() project: ProjectEntity,
    @Param('template_id', IdPipe) templateId: number,
  ): Promise<TemplateRefs> {
    return this.templates.refs(project.id, templateId);
  }

  @Put(':template_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('template_id', IdPipe) templateId: number,
    @Body() body: TemplateDto,
  ): Promise<void> {
    await this.templates.update(project, user, templateId, body);
  }

  @Delete(':template_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('template_id', IdPipe) templateId: number,
  ): Promise<void> {
    await this.templates.delete(project, user, templateId);
  }
}
