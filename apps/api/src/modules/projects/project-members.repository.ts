import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { ProjectRole } from '@semaphore/models';
import { ProjectEntity, ProjectMemberEntity, UserEntity } from '@semaphore/persistence';

export type MemberSort = 'name' | 'username' | 'email' | 'role';
export type SortOrder = 'ASC' | 'DESC';

/** Whitelisted sort columns of `GET P/users` (never interpolated from the request). */
const SORT_COLUMNS: Readonly<Record<MemberSort, string>> = {
  name: 'u.name',
  username: 'u.username',
  email: 'u.email',
  role: 'm.role',
};

export interface MemberWithUser {
  user: UserEntity;
  role: ProjectRole;
}

/** Membership queries inside a transaction that holds the project row lock (see `ProjectMembersRepository.locked`). */
export class LockedMembers {
  constructor(
    private readonly em: EntityManager,
    readonly projectId: number,
  ) {}

  find(userId: number): Promise<ProjectMemberEntity | null> {
    return this.em.findOneBy(ProjectMemberEntity, { projectId: this.projectId, userId });
  }

  countOwners(): Promise<number> {
    return this.em.countBy(ProjectMemberEntity, { projectId: this.projectId, role: ProjectRole.Owner });
  }

  async insert(userId: number, role: ProjectRole): Promise<void> {
    await this.em.insert(ProjectMemberEntity, { projectId: this.projectId, userId, role });
  }

  async setRole(userId: number, role: ProjectRole): Promise<void> {
    await this.em.update(ProjectMemberEntity, { projectId: this.projectId, userId }, { role });
  }

  async remove(userId: number): Promise<void> {
    await this.em.delete(ProjectMemberEntity, { projectId: this.projectId, userId });
  }
}

/** Project memberships (`project__user`). */
@Injectable()
export class ProjectMembersRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(ProjectMemberEntity) private readonly members: Repository<ProjectMemberEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  async list(projectId: number, sort: MemberSort, order: SortOrder): Promise<MemberWithUser[]> {
    const rows = await this.members
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.user', 'u')
      .where('m.project_id = :projectId', { projectId })
      .orderBy(SORT_COLUMNS[sort], order)
      .addOrderBy('u.id', 'ASC')
      .getMany();
    return rows.flatMap((m) => (m.user ? [{ user: m.user, role: m.role }] : []));
  }

  /** The user if they are a member of the project. */
  async findMemberUser(projectId: number, userId: number): Promise<UserEntity | null> {
    const member = await this.members.findOne({ where: { projectId, userId }, relations: { user: true } });
    return member?.user ?? null;
  }

  userExists(userId: number): Promise<boolean> {
    return this.users.existsBy({ id: userId });
  }

  /**
   * Runs `fn` in a transaction that first locks the project row, so concurrent membership changes of one project
   * are serialized (the "at least one owner" rule cannot be broken by two requests at once).
   */
  locked<T>(projectId: number, fn: (members: LockedMembers) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em
        .createQueryBuilder(ProjectEntity, 'p')
        .setLock('pessimistic_write')
        .where('p.id = :projectId', { projectId })
        .getOne();
      return fn(new LockedMembers(em, projectId));
    });
  }
}
