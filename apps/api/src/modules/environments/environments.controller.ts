import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireEnvironment } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { listOrder } from '../../common/validators';
import type { ObjectRefs } from '../keys/object-refs';
import { EnvironmentDto } from './dto/environment.dto';
import { ENVIRONMENT_SORT_COLUMNS } from './environments.repository';
import { EnvironmentsService } from './environments.service';

/** Environments and their secrets. Secret values are write-only: reads list secrets with blank values. */
@Controller('project/:project_id/environment')
@RequirePermission(Permission.ManageProjectResources)
export class EnvironmentsController {
  constructor(private readonly environments: EnvironmentsService) {}

  /** `?sort=name&order=asc|desc`. */
  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Query('sort') sort: unknown,
    @Query('order') order: unknown,
  ): Promise<WireEnvironment[]> {
    return this.environments.list(project.id, listOrder(sort, order, ENVIRONMENT_SORT_COLUMNS, 'name'));
  }

  /** 204 without a body, as upstream; also applies `secrets[]` (operation create). */
  @Post()
  @HttpCode(204)
  async create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: EnvironmentDto,
  ): Promise<void> {
    await this.environments.create(project, user, body);
  }

  @Get(':environment_id')
  get(
    @CurrentProject() project: ProjectEntity,
    @Param('environment_id', IdPipe) environmentId: number,
  ): Promise<WireEnvironment> {
    return this.environments.getWire(project.id, environmentId);
  }

  @Get(':environment_id/refs')
  refs(
    @CurrentProject() project: ProjectEntity,
    @Param('environment_id', IdPipe) environmentId: number,
  ): Promise<ObjectRefs> {
    return this.environments.refs(project.id, environmentId);
  }

  /** `secrets[]` operations: create, update (id of this environment's secret), delete. */
  @Put(':environment_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('environment_id', IdPipe) environmentId: number,
    @Body() body: EnvironmentDto,
  ): Promise<void> {
    await this.environments.update(project, user, environmentId, body);
  }

  @Delete(':environment_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('environment_id', IdPipe) environmentId: number,
  ): Promise<void> {
    await this.environments.delete(project, user, environmentId);
  }
}
