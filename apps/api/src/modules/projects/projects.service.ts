import { Injectable } from '@nestjs/common';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, forbidden } from '../../common/api-errors';
import { ApiConfig } from '../../config';
import { fromWireProject } from '../../wire';
import { EventsService } from '../events/events.service';
import type { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { ProjectsRepository } from './projects.repository';

/** Creating, updating and deleting projects, with their audit events. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly events: EventsService,
    private readonly config: ApiConfig,
  ) {}

  /** Admins see every project, others the projects they are members of; ordered by name. */
  list(user: UserEntity): Promise<ProjectEntity[]> {
    return user.admin ? this.projects.listAll() : this.projects.listForMember(user.id);
  }

  canCreate(user: UserEntity): boolean {
    return user.admin || this.config.auth.nonAdminCanCreateProject;
  }

  /**
   * The creator becomes the owner; the `None` key and `Empty` environment come with it. Unlike upstream's SQL
   * backends, `alert`, `alert_chat` and `max_parallel_tasks` from the body are saved. `demo` is ignored.
   */
  async create(user: UserEntity, body: CreateProjectDto): Promise<ProjectEntity> {
    if (!this.canCreate(user)) throw forbidden('only administrators can create projects');
    const fields = fromWireProject(body);
    const project = await this.projects.createWithDefaults(
      {
        name: body.name,
        alert: fields.alert ?? false,
        alertChat: fields.alertChat ?? null,
        maxParallelTasks: fields.maxParallelTasks ?? 0,
        type: fields.type ?? '',
      },
      user.id,
    );
    await this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'project',
      objectId: project.id,
      description: `Project ${project.name} created`,
    });
    return project;
  }

  /** `PUT P`: name, alert, alert_chat and max_parallel_tasks; the body's `id` must be the URL's. */
  async update(project: ProjectEntity, user: UserEntity, body: UpdateProjectDto): Promise<void> {
    if (body.id !== project.id) throw badRequest('id must equal the project ID in the URL');
    const { name, alert, alertChat, maxParallelTasks } = fromWireProject(body);
    await this.projects.update(project.id, { name, alert, alertChat, maxParallelTasks });
    await this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'project',
      objectId: project.id,
      description: `Project ${name ?? project.name} updated`,
    });
  }

  /**
   * Deletes the project and everything in it. The project's own events go with it, so the deletion is logged as a
   * global event (no project id) that only admins and the deleting user see in `GET /api/events`.
   */
  async delete(project: ProjectEntity, user: UserEntity): Promise<void> {
    await this.projects.delete(project.id);
    await this.events.log({
      projectId: null,
      userId: user.id,
      objectType: 'project',
      objectId: project.id,
      description: `Project ${project.name} deleted`,
    });
  }
}
