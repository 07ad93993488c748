import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { Permission, ProjectRole, ROLE_PERMISSIONS, type WireProject } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentProjectRole, CurrentUser, RequirePermission } from '../../common/decorators';
import { toWireProject } from '../../wire';
import { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { ProjectMembersService } from './project-members.service';
import { ProjectsService } from './projects.service';

export interface WireProjectRole {
  role: ProjectRole | '';
  permissions: number;
}

/** `/api/projects` and the project itself (`/api/project/{project_id}`, `/me`, `/role`). */
@Controller()
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly members: ProjectMembersService,
  ) {}

  @Get('projects')
  async list(@CurrentUser() user: UserEntity): Promise<WireProject[]> {
    return (await this.projects.list(user)).map(toWireProject);
  }

  /** 201 with the Project; 403 unless admin or `non_admin_can_create_project` (upstream answers 401). */
  @Post('projects')
  @HttpCode(201)
  async create(@CurrentUser() user: UserEntity, @Body() body: CreateProjectDto): Promise<WireProject> {
    return toWireProject(await this.projects.create(user, body));
  }

  @Get('project/:project_id')
  get(@CurrentProject() project: ProjectEntity): WireProject {
    return toWireProject(project);
  }

  @Put('project/:project_id')
  @HttpCode(204)
  @RequirePermission(Permission.UpdateProject)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: UpdateProjectDto,
  ): Promise<void> {
    await this.projects.update(project, user, body);
  }

  @Delete('project/:project_id')
  @HttpCode(204)
  @RequirePermission(Permission.UpdateProject)
  async delete(@CurrentProject() project: ProjectEntity, @CurrentUser() user: UserEntity): Promise<void> {
    await this.projects.delete(project, user);
  }

  /** Leave the project. */
  @Delete('project/:project_id/me')
  @HttpCode(204)
  async leave(@CurrentProject() project: ProjectEntity, @CurrentUser() user: UserEntity): Promise<void> {
    await this.members.leave(project, user);
  }

  /** The caller's role; an admin who is not a member gets `{"role":"","permissions":0}` as upstream. */
  @Get('project/:project_id/role')
  role(@CurrentProjectRole() role: ProjectRole | null): WireProjectRole {
    return { role: role ?? '', permissions: role ? ROLE_PERMISSIONS[role] : 0 };
  }
}
