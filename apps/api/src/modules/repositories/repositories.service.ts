import { Injectable } from '@nestjs/common';
import type { WireRepository } from '@semaphore/models';
import type { ProjectEntity, RepositoryEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, inUse, notFound } from '../../common/api-errors';
import { gitBranchProblem, isLocalGitUrl, type ListOrder } from '../../common/validators';
import { fromWireRepository, toWireRepository } from '../../wire';
import { EventsService } from '../events/events.service';
import { isForeignKeyViolation, isReferenced, type ObjectRefs } from '../keys/object-refs';
import type { RepositoryDto } from './dto/repository.dto';
import { RepositoriesRepository, type RepositoryRow, type RepositorySort } from './repositories.repository';

@Injectable()
export class RepositoriesService {
  constructor(
    private readonly repo: RepositoriesRepository,
    private readonly events: EventsService,
  ) {}

  async list(projectId: number, order: ListOrder<RepositorySort>): Promise<WireRepository[]> {
    return (await this.repo.list(projectId, order)).map(toWireRepository);
  }

  /** A repository of the project, or 404 (also for another project's repository). */
  async get(projectId: number, id: number): Promise<RepositoryEntity> {
    const repository = await this.repo.findInProject(projectId, id);
    if (!repository) throw notFound('Repository');
    return repository;
  }

  async create(project: ProjectEntity, user: UserEntity, dto: RepositoryDto): Promise<void> {
    checkBodyIds(dto, project.id, null);
    const row = await this.checkedRow(project.id, dto);
    const repository = await this.repo.create(project.id, row);
    await this.log(project, user, repository, 'created');
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, dto: RepositoryDto): Promise<void> {
    const repository = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    const row = await this.checkedRow(project.id, dto);
    await this.repo.update(repository, row);
    await this.log(project, user, { id: repository.id, name: row.name }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const repository = await this.get(project.id, id);
    if (isReferenced(await this.repo.refs(project.id, repository.id))) throw inUse('Repository');
    try {
      await this.repo.delete(repository);
    } catch (err) {
      if (isForeignKeyViolation(err)) throw inUse('Repository');
      throw err;
    }
    await this.log(project, user, repository, 'deleted');
  }

  async refs(projectId: number, id: number): Promise<ObjectRefs> {
    const repository = await this.get(projectId, id);
    return this.repo.refs(projectId, repository.id);
  }

  /** The branch (required unless the repository is local) and the key (of this project) on top of the DTO checks. */
  private async checkedRow(projectId: number, dto: RepositoryDto): Promise<RepositoryRow> {
    const fields = fromWireRepository(dto);
    const row: RepositoryRow = {
      name: fields.name ?? dto.name,
      gitUrl: fields.gitUrl ?? dto.git_url,
      gitBranch: fields.gitBranch ?? '',
      sshKeyId: fields.sshKeyId ?? dto.ssh_key_id,
    };
    if (row.gitBranch === '') {
      if (!isLocalGitUrl(row.gitUrl)) throw badRequest('git_branch is required (except for local repositories)');
    } else {
      const problem = gitBranchProblem(row.gitBranch);
      if (problem) throw badRequest(`git_branch ${problem}`);
    }
    if (!(await this.repo.keyInProject(projectId, row.sshKeyId))) {
      throw badRequest('ssh_key_id must be the id of an access key of this project');
    }
    return row;
  }

  private log(
    project: ProjectEntity,
    user: UserEntity,
    repository: Pick<RepositoryEntity, 'id' | 'name'>,
    verb: string,
  ) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'repository',
      objectId: repository.id,
      description: `Repository ${repository.name} ${verb}`,
    });
  }
}

/** A body cannot name another project or repository than the URL (SECURITY.md §2). */
function checkBodyIds(dto: RepositoryDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== null && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the repository id of the URL');
  }
}
