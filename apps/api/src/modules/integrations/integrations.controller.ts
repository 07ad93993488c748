import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireIntegration, type WireIntegrationAlias } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';
import { IntegrationAliasesService } from './integration-aliases.service';
import { type Referrer, sortOrder } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/** `P/integrations`: incoming webhooks that start a template's task, and their own aliases. */
@Controller('project/:project_id/integrations')
@RequirePermission(Permission.ManageProjectResources)
export class IntegrationsController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly aliases: IntegrationAliasesService,
  ) {}

  /** Sorted by name (`?order=desc` reverses; `name` is the only sortable column). */
  @Get()
  list(@CurrentProject() project: ProjectEntity, @Query('order') order?: unknown): Promise<WireIntegration[]> {
    return this.integrations.list(project, sortOrder(order));
  }

  /** 201 with the Integration. */
  @Post()
  @HttpCode(201)
  create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: CreateIntegrationDto,
  ): Promise<WireIntegration> {
    return this.integrations.create(project, user, body);
  }

  @Get(':integration_id')
  get(@CurrentProject() project: ProjectEntity, @Param('integration_id', IdPipe) id: number): Promise<WireIntegration> {
    return this.integrations.get(project, id);
  }

  @Put(':integration_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('integration_id', IdPipe) id: number,
    @Body() body: UpdateIntegrationDto,
  ): Promise<void> {
    await this.integrations.update(project, user, id, body);
  }

  /** 204; its matchers, extract values and aliases go with it. */
  @Delete(':integration_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('integration_id', IdPipe) id: number,
  ): Promise<void> {
    await this.integrations.delete(project, user, id);
  }

  /** `{"matchers":[{id,name}],"values":[{id,name}]}`. */
  @Get(':integration_id/refs')
  refs(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) id: number,
  ): Promise<{ matchers: Referrer[]; values: Referrer[] }> {
    return this.integrations.refs(project, id);
  }

  @Get(':integration_id/aliases')
  async listAliases(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) id: number,
  ): Promise<WireIntegrationAlias[]> {
    const integration = await this.integrations.require(project, id);
    return this.aliases.list(project, integration.id);
  }

  /** 200 with `{"id","url"}`, as upstream. */
  @Post(':integration_id/aliases')
  @HttpCode(200)
  async createAlias(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) id: number,
  ): Promise<WireIntegrationAlias> {
    const integration = await this.integrations.require(project, id);
    return this.aliases.create(project, integration.id);
  }

  @Delete(':integration_id/aliases/:alias_id')
  @HttpCode(204)
  async deleteAlias(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) id: number,
    @Param('alias_id', IdPipe) aliasId: number,
  ): Promise<void> {
    const integration = await this.integrations.require(project, id);
    await this.aliases.delete(project, integration.id, aliasId);
  }
}
