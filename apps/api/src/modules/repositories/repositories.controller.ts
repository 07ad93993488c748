import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireRepository } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { listOrder } from '../../common/validators';
import { toWireRepository } from '../../wire';
import type { ObjectRefs } from '../keys/object-refs';
import { RepositoryDto } from './dto/repository.dto';
import { REPOSITORY_SORT_COLUMNS } from './repositories.repository';
import { RepositoriesService } from './repositories.service';

@Controller('project/:project_id/repositories')
@RequirePermission(Permission.ManageProjectResources)
export class RepositoriesController {
  constructor(private readonly repositories: RepositoriesService) {}

  /** `?sort=name&order=asc|desc`. */
  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Query('sort') sort: unknown,
    @Query('order') order: unknown,
  ): Promise<WireRepository[]> {
    return this.repositories.list(project.id, listOrder(sort, order, REPOSITORY_SORT_COLUMNS, 'name'));
  }

  @Post()
  @HttpCode(204)
  async create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: RepositoryDto,
  ): Promise<void> {
    await this.repositories.create(project, user, body);
  }

  @Get(':repository_id')
  async get(
    @CurrentProject() project: ProjectEntity,
    @Param('repository_id', IdPipe) repositoryId: number,
  ): Promise<WireRepository> {
    return toWireRepository(await this.repositories.get(project.id, repositoryId));
  }

  @Get(':repository_id/refs')
  refs(
    @CurrentProject() project: ProjectEntity,
    @Param('repository_id', IdPipe) repositoryId: number,
  ): Promise<ObjectRefs> {
    return this.repositories.refs(project.id, repositoryId);
  }

  @Put(':repository_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('repository_id', IdPipe) repositoryId: number,
    @Body() body: RepositoryDto,
  ): Promise<void> {
    await this.repositories.update(project, user, repositoryId, body);
  }

  @Delete(':repository_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('repository_id', IdPipe) repositoryId: number,
  ): Promise<void> {
    await this.repositories.delete(project, user, repositoryId);
  }
}
