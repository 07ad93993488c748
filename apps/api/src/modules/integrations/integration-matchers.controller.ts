import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireIntegrationMatcher } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { CurrentProject, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { CreateIntegrationMatcherDto, UpdateIntegrationMatcherDto } from './dto/integration-matcher.dto';
import { IntegrationPartsService } from './integration-parts.service';
import { type Referrer, sortOrder } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/** `P/integrations/{integration_id}/matchers`: all must match for a webhook request to start a task. */
@Controller('project/:project_id/integrations/:integration_id/matchers')
@RequirePermission(Permission.ManageProjectResources)
export class IntegrationMatchersController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly parts: IntegrationPartsService,
  ) {}

  @Get()
  async list(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Query('order') order?: unknown,
  ): Promise<WireIntegrationMatcher[]> {
    return this.parts.listMatchers(await this.integrations.require(project, integrationId), sortOrder(order));
  }

  /** 200 (not 201) with the IntegrationMatcher, as upstream. */
  @Post()
  @HttpCode(200)
  async create(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Body() body: CreateIntegrationMatcherDto,
  ): Promise<WireIntegrationMatcher> {
    return this.parts.createMatcher(await this.integrations.require(project, integrationId), body);
  }

  @Get(':matcher_id')
  async get(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('matcher_id', IdPipe) id: number,
  ): Promise<WireIntegrationMatcher> {
    return this.parts.getMatcher(await this.integrations.require(project, integrationId), id);
  }

  @Put(':matcher_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('matcher_id', IdPipe) id: number,
    @Body() body: UpdateIntegrationMatcherDto,
  ): Promise<void> {
    await this.parts.updateMatcher(await this.integrations.require(project, integrationId), id, body);
  }

  @Delete(':matcher_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('matcher_id', IdPipe) id: number,
  ): Promise<void> {
    await this.parts.deleteMatcher(await this.integrations.require(project, integrationId), id);
  }

  /** `{"integrations":[{id,name}]}`: the integration the matcher belongs to. */
  @Get(':matcher_id/refs')
  async refs(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('matcher_id', IdPipe) id: number,
  ): Promise<{ integrations: Referrer[] }> {
    return this.parts.matcherRefs(await this.integrations.require(project, integrationId), id);
  }
}
