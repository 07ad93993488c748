import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AccessKeyType, ProjectRole } from '@semaphore/models';
import { AccessKeyEntity, EnvironmentEntity, ProjectEntity, ProjectMemberEntity } from '@semaphore/persistence';

export interface NewProject {
  name: string;
  alert: boolean;
  alertChat: string | null;
  maxParallelTasks: number;
  type: string;
}

export type ProjectChanges = Partial<Pick<ProjectEntity, 'name' | 'alert' | 'alertChat' | 'maxParallelTasks' | 'type'>>;

/** Project rows. Creating a project also creates its owner membership and default key and environment, atomically. */
@Injectable()
export class ProjectsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  listAll(): Promise<ProjectEntity[]> {
    return this.projects.find({ order: { name: 'ASC', id: 'ASC' } });
  }

  /** The projects `userId` is a member of. */
  listForMember(userId: number): Promise<ProjectEntity[]> {
    return this.projects
      .createQueryBuilder('p')
      .innerJoin(ProjectMemberEntity, 'm', 'm.project_id = p.id AND m.user_id = :userId', { userId })
      .orderBy('p.name', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .getMany();
  }

  findById(id: number): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ id });
  }

  /** One transaction: the project, `ownerId` as its owner, the `None` access key and the `Empty` environment. */
  createWithDefaults(input: NewProject, ownerId: number): Promise<ProjectEntity> {
    return this.dataSource.transaction(async (em) => {
      const project = await em.save(em.create(ProjectEntity, input));
      await em.insert(ProjectMemberEntity, { projectId: project.id, userId: ownerId, role: ProjectRole.Owner });
      await em.insert(AccessKeyEntity, { projectId: project.id, name: 'None', type: AccessKeyType.None, secret: null });
      await em.insert(EnvironmentEntity, {
        projectId: project.id,
        name: 'Empty',
        json: '{}',
        env: null,
        password: null,
      });
      return project;
    });
  }

  /** Applies the fields that are set (undefined ones are left alone). */
  async update(id: number, changes: ProjectChanges): Promise<void> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as ProjectChanges;
    if (Object.keys(set).length) await this.projects.update({ id }, set);
  }

  /** Every row of the project goes with it (foreign keys cascade). */
  async delete(id: number): Promise<void> {
    await this.projects.delete({ id });
  }
}
