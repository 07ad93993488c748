import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireIntegrationExtractValue } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { CurrentProject, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { CreateIntegrationValueDto, UpdateIntegrationValueDto } from './dto/integration-value.dto';
import { IntegrationPartsService } from './integration-parts.service';
import { type Referrer, sortOrder } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/** `P/integrations/{integration_id}/values`: request data (header, JSON path or whole body) passed to the task. */
@Controller('project/:project_id/integrations/:integration_id/values')
@RequirePermission(Permission.ManageProjectResources)
export class IntegrationValuesController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly parts: IntegrationPartsService,
  ) {}

  @Get()
  async list(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Query('order') order?: unknown,
  ): Promise<WireIntegrationExtractValue[]> {
    return this.parts.listValues(await this.integrations.require(project, integrationId), sortOrder(order));
  }

  /** 201 with the IntegrationExtractValue. */
  @Post()
  @HttpCode(201)
  async create(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Body() body: CreateIntegrationValueDto,
  ): Promise<WireIntegrationExtractValue> {
    return this.parts.createValue(await this.integrations.require(project, integrationId), body);
  }

  @Get(':value_id')
  async get(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('value_id', IdPipe) id: number,
  ): Promise<WireIntegrationExtractValue> {
    return this.parts.getValue(await this.integrations.require(project, integrationId), id);
  }

  @Put(':value_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('value_id', IdPipe) id: number,
    @Body() body: UpdateIntegrationValueDto,
  ): Promise<void> {
    await this.parts.updateValue(await this.integrations.require(project, integrationId), id, body);
  }

  @Delete(':value_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('value_id', IdPipe) id: number,
  ): Promise<void> {
    await this.parts.deleteValue(await this.integrations.require(project, integrationId), id);
  }

  /** `{"integrations":[{id,name}]}`: the integration the value belongs to. */
  @Get(':value_id/refs')
  async refs(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) integrationId: number,
    @Param('value_id', IdPipe) id: number,
  ): Promise<{ integrations: Referrer[] }> {
    return this.parts.valueRefs(await this.integrations.require(project, integrationId), id);
  }
}
