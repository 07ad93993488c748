import { Injectable, NotFoundException } from '@nestjs/common';
import { ProjectRole } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, conflict, notFound } from '../../common/api-errors';
import { EventsService } from '../events/events.service';
import {
  type LockedMembers,
  type MemberSort,
  type MemberWithUser,
  ProjectMembersRepository,
  type SortOrder,
} from './project-members.repository';

const SORTS: readonly MemberSort[] = ['name', 'username', 'email', 'role'];
const LAST_OWNER = 'the project must keep at least one owner';

/** `?sort=` and `?order=` of `GET P/users`: anything outside the whitelist falls back to name, ascending. */
export function memberListOrder(sort: unknown, order: unknown): { sort: MemberSort; order: SortOrder } {
  return {
    sort: SORTS.find((s) => s === sort) ?? 'name',
    order: order === 'desc' ? 'DESC' : 'ASC',
  };
}

/** Who the project's members are and what they may do; every change keeps at least one owner. */
@Injectable()
export class ProjectMembersService {
  constructor(
    private readonly members: ProjectMembersRepository,
    private readonly events: EventsService,
  ) {}

  list(projectId: number, sort: MemberSort, order: SortOrder): Promise<MemberWithUser[]> {
    return this.members.list(projectId, sort, order);
  }

  async getMemberUser(projectId: number, userId: number): Promise<UserEntity> {
    const user = await this.members.findMemberUser(projectId, userId);
    if (!user) throw notFound('User');
    return user;
  }

  async add(project: ProjectEntity, actor: UserEntity, userId: number, role: ProjectRole): Promise<void> {
    if (!(await this.members.userExists(userId))) throw badRequest('user_id does not refer to an existing user');
    await this.members.locked(project.id, async (members) => {
      if (await members.find(userId)) throw conflict('The user is already a member of the project');
      await members.insert(userId, role);
    });
    await this.logUserEvent(project, actor, userId, `User ID ${userId} added to team`);
  }

  /** An owner cannot demote themself (unless admin), and the last owner cannot be demoted at all. */
  async updateRole(project: ProjectEntity, actor: UserEntity, userId: number, role: ProjectRole): Promise<void> {
    await this.members.locked(project.id, async (members) => {
      const member = await members.find(userId);
      if (!member) throw notFound('User');
      const demotion = member.role === ProjectRole.Owner && role !== ProjectRole.Owner;
      if (demotion && userId === actor.id && !actor.admin) {
        throw badRequest('an owner cannot change their own role in the project');
      }
      if (demotion) await this.refuseLastOwner(members);
      await members.setRole(userId, role);
    });
    await this.logUserEvent(project, actor, userId, `Changed role for User ID ${userId}`);
  }

  /** `DELETE P/users/{id}`. A non-admin owner cannot remove themself; the last owner cannot be removed. */
  async remove(project: ProjectEntity, actor: UserEntity, userId: number): Promise<void> {
    await this.members.locked(project.id, async (members) => {
      const member = await members.find(userId);
      if (!member) throw notFound('User');
      await this.checkRemoval(members, actor, userId, member.role);
      await members.remove(userId);
    });
    await this.logUserEvent(project, actor, userId, `User ID ${userId} removed from team`);
  }

  /** `DELETE P/me`: the same rules as removing oneself. */
  async leave(project: ProjectEntity, actor: UserEntity): Promise<void> {
    await this.members.locked(project.id, async (members) => {
      const member = await members.find(actor.id);
      if (!member) throw new NotFoundException({ error: 'You are not a member of this project' });
      await this.checkRemoval(members, actor, actor.id, member.role);
      await members.remove(actor.id);
    });
    await this.logUserEvent(project, actor, actor.id, `User ID ${actor.id} removed from team`);
  }

  private async checkRemoval(members: LockedMembers, actor: UserEntity, userId: number, role: ProjectRole) {
    if (role !== ProjectRole.Owner) return;
    if (userId === actor.id && !actor.admin) throw badRequest('an owner cannot leave the project');
    await this.refuseLastOwner(members);
  }

  private async refuseLastOwner(members: LockedMembers): Promise<void> {
    if ((await members.countOwners()) <= 1) throw badRequest(LAST_OWNER);
  }

  private logUserEvent(project: ProjectEntity, actor: UserEntity, userId: number, description: string) {
    return this.events.log({
      projectId: project.id,
      userId: actor.id,
      objectType: 'user',
      objectId: userId,
      description,
    });
  }
}
