import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireProjectUser, type WireUser } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { toWireProjectUser, toWireUser } from '../../wire';
import { AddProjectUserDto, UpdateProjectUserDto } from './dto/project-user.dto';
import { memberListOrder, ProjectMembersService } from './project-members.service';

/** The project's members (`/api/project/{project_id}/users`); changes need the ManageProjectUsers bit (owners). */
@Controller('project/:project_id/users')
@RequirePermission(Permission.ManageProjectUsers)
export class ProjectUsersController {
  constructor(private readonly members: ProjectMembersService) {}

  /** `?sort=name|username|email|role&order=asc|desc`; anything else falls back to name ascending. */
  @Get()
  async list(
    @CurrentProject() project: ProjectEntity,
    @Query('sort') sort: unknown,
    @Query('order') order: unknown,
  ): Promise<WireProjectUser[]> {
    const o = memberListOrder(sort, order);
    return (await this.members.list(project.id, o.sort, o.order)).map((m) => toWireProjectUser(m.user, m.role));
  }

  @Post()
  @HttpCode(204)
  async add(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() actor: UserEntity,
    @Body() body: AddProjectUserDto,
  ): Promise<void> {
    await this.members.add(project, actor, body.user_id, body.role);
  }

  /** The full User of a member; 404 for anyone else. */
  @Get(':user_id')
  async get(@CurrentProject() project: ProjectEntity, @Param('user_id', IdPipe) userId: number): Promise<WireUser> {
    return toWireUser(await this.members.getMemberUser(project.id, userId));
  }

  @Put(':user_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() actor: UserEntity,
    @Param('user_id', IdPipe) userId: number,
    @Body() body: UpdateProjectUserDto,
  ): Promise<void> {
    await this.members.updateRole(project, actor, userId, body.role);
  }

  @Delete(':user_id')
  @HttpCode(204)
  async remove(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() actor: UserEntity,
    @Param('user_id', IdPipe) userId: number,
  ): Promise<void> {
    await this.members.remove(project, actor, userId);
  }
}
